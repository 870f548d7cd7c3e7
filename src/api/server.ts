import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { PipelineConfig } from '../config/pipeline.js';
import { ApiError, PayloadTooLargeError } from './errors.js';
import { anomaliesRoutes } from './routes/anomalies.js';
import { openapiRoute } from './routes/docs.js';
import { type HealthCheck, healthRoutes } from './routes/health.js';
import { metricsRoutes, type PointSink } from './routes/metrics.js';
import { seriesRoutes } from './routes/series.js';
import type { Views } from './views.js';

export interface ApiDeps {
  config: PipelineConfig['api'];
  /** the Kafka producer (or a fake in unit tests) */
  sink: PointSink;
  /** bounded in-memory views, fed by `startViewFeed` */
  views: Views;
  /** broker reachable? view consumers assigned? */
  health: HealthCheck;
  /** pino through fastify: `true`, pino options, a pino logger, or false/absent for none */
  logger?: boolean | object;
  /** POST /v1/metrics answers 503 when the sink takes longer (default 10 s) */
  sinkTimeoutMs?: number;
}

const VERSION = '0.1.0';

/** Maps anything thrown in a request to a typed ApiError; input problems never become a 500. */
export function toApiError(err: unknown, bodyLimitBytes: number): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as Partial<FastifyError>;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new PayloadTooLargeError(bodyLimitBytes);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', 'send the body as Content-Type: application/json', false);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'invalid_body', 'Content-Type is application/json but the body is empty', false);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(400, 'invalid_json', `body is not valid JSON: ${e.message}`, false);
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = status === 400 && err instanceof SyntaxError ? 'invalid_json' : 'bad_request';
    return new ApiError(status, code, e.message ?? 'bad request', false);
  }
  return new ApiError(Math.max(status, 500), 'internal', 'internal error', false, undefined, { cause: err });
}

/** Fastify 5 takes pino options as `logger` but an existing logger only as `loggerInstance`. */
function loggerOption(logger: ApiDeps['logger']): { logger: boolean | object } | { loggerInstance: FastifyBaseLogger } {
  const l = logger as Partial<FastifyBaseLogger> | undefined;
  if (l && typeof l === 'object' && typeof l.child === 'function' && typeof l.info === 'function') {
    return { loggerInstance: l as FastifyBaseLogger };
  }
  return { logger: logger ?? false };
}

/**
 * Builds the HTTP API (not listening yet: call `app.listen({ host, port })` or use `startApi`).
 * Routes validate their input with zod; the JSON Schemas on the routes only feed the OpenAPI
 * document, so fastify's own validator and response serializer are bypassed.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({ ...loggerOption(deps.logger), bodyLimit: config.bodyLimitBytes });

  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((err, req, reply) => {
    const apiErr = toApiError(err, config.bodyLimitBytes);
    if (apiErr.code === 'internal') req.log.error({ err }, 'unhandled error');
    if (apiErr.retriable) reply.header('retry-after', '1');
    return reply.code(apiErr.status).send(apiErr.toBody());
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url}`, retriable: false }),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'faultline API',
        version: VERSION,
        description:
          'Streaming anomaly detection on Kafka: write metric points, read anomaly events and per-series scores. ' +
          'Errors share one shape: `{ error, message, issues?, retriable }`.',
      },
      tags: [
        { name: 'ingest', description: 'Metric points into Kafka' },
        { name: 'results', description: 'Anomalies and scores, read from Kafka into bounded views' },
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'docs', description: 'This document' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes, { health: deps.health });
  await app.register(metricsRoutes, { sink: deps.sink, sinkTimeoutMs: deps.sinkTimeoutMs ?? 10_000 });
  await app.register(anomaliesRoutes, { views: deps.views });
  await app.register(seriesRoutes, { views: deps.views });
  await app.register(openapiRoute);

  await app.ready();
  return app;
}

/** Builds the API and listens on `config.host:config.port`; returns the app and its base URL. */
export async function startApi(deps: ApiDeps): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = await buildApi(deps);
  const url = await app.listen({ host: deps.config.host, port: deps.config.port });
  return { app, url, close: () => app.close() };
}
