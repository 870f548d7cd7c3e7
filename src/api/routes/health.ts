import type { FastifyPluginAsync } from 'fastify';
import { HealthResponse, ReadyResponse, response } from '../schemas.js';

export interface Readiness {
  broker: boolean;
  consumersAssigned: boolean;
  details?: Record<string, unknown>;
}

export type HealthCheck = () => Promise<Readiness>;

export const healthRoutes: FastifyPluginAsync<{ health: HealthCheck }> = async (app, { health }) => {
  const startedAt = Date.now();

  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: response('Alive', HealthResponse) },
      },
    },
    async () => ({ status: 'ok' as const, uptimeSec: Math.round((Date.now() - startedAt) / 1000) }),
  );

  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Readiness: the broker is reachable and the view consumers have their partitions',
        response: {
          200: response('Ready', ReadyResponse),
          503: response('Not ready; `broker`, `consumersAssigned` and `details` say why', ReadyResponse),
        },
      },
    },
    async (req, reply) => {
      let r: Readiness;
      try {
        r = await health();
      } catch (err) {
        req.log.warn({ err }, 'health check failed');
        r = { broker: false, consumersAssigned: false, details: { error: (err as Error)?.message ?? String(err) } };
      }
      const ready = r.broker && r.consumersAssigned;
      const body: Record<string, unknown> = { ready, broker: r.broker, consumersAssigned: r.consumersAssigned };
      if (r.details) body.details = r.details;
      if (ready) return body;
      const why = [!r.broker && 'Kafka broker unreachable', !r.consumersAssigned && 'consumers not assigned']
        .filter(Boolean)
        .join('; ');
      return reply.code(503).send({ ...body, error: 'not_ready', message: why, retriable: true });
    },
  );
};
