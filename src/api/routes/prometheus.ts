import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../metrics/registry.js';

/** `GET /metrics`: Prometheus text exposition of the API process (needs the `read` scope when keys are configured). */
export const prometheusRoute: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get(
    '/metrics',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        description:
          'Points ingested, consumer lag per partition, points processed, detector latency (sampled), anomaly events ' +
          'by state, severity and rule, DLQ size, heal actions and outcomes, coordinator leadership, model versions, ' +
          'HTTP requests, and process metrics.',
        response: {
          200: {
            description: 'Metrics in the Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_req, reply) => {
      const body = await metrics.render();
      return reply.type(metrics.contentType).send(body);
    },
  );
};
