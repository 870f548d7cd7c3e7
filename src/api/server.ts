import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { PipelineConfig } from '../config/pipeline.js';
import { createMetrics, type Metrics } from '../metrics/registry.js';
import { RemoteWriteConfig } from '../prometheus/config.js';
import { installAuth, REDACT_PATHS, SECURITY_SCHEMES } from './auth.js';
import { installCors } from './cors.js';
import { ApiError, PayloadTooLargeError } from './errors.js';
import type { HealDeps } from './heal.js';
import { installHttpMetrics } from './http-metrics.js';
import { type ApiKeyConfig, createKeyring } from './keys.js';
import { actionsRoutes } from './routes/actions.js';
import { anomaliesRoutes } from './routes/anomalies.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { openapiRoute } from './routes/docs.js';
import { type HealthCheck, healthRoutes } from './routes/health.js';
import { type LabelSink, labelsRoutes } from './routes/labels.js';
import { metricsRoutes, type PointSink } from './routes/metrics.js';
import type { ModelsRouteOptions } from './routes/models.js';
import { predictionsRoutes } from './routes/predictions.js';
import { prometheusRoute } from './routes/prometheus.js';
import { remoteWriteRoutes } from './routes/remote-write.js';
import { seriesRoutes } from './routes/series.js';
import { type StreamOptions, type StreamSource, streamRoute } from './routes/stream.js';
import { type SupervisorDeps, supervisorRoutes } from './routes/supervisor.js';
import { errorResponse } from './schemas.js';
import { type CorsConfig, RateLimitConfig } from './security.js';
import type { Views } from './views.js';

type PipelineApi = PipelineConfig['api'];

/** The pipeline's `api:` section; the security fields may be left out (no keys, default rate limit, no CORS). */
export type ApiConfig = Omit<PipelineApi, 'keys' | 'rateLimit' | 'cors'> & {
  keys?: ApiKeyConfig[];
  rateLimit?: { max: number; window: number };
  cors?: CorsConfig;
};

export interface ApiDeps {
  config: ApiConfig;
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
  /** the process's metrics registry for GET /metrics (default: a new one with process metrics) */
  metrics?: Metrics;
  /** GET /v1/stream tuning, and extra event sources pushed into every stream */
  stream?: Omit<StreamOptions, 'views' | 'sources'> & { sources?: StreamSource[] };
  /** serve the web dashboard at /dashboard/ (default true) */
  dashboard?: boolean;
  /** the heal engine running in this process: /v1/actions, approvals, `action` stream events */
  heal?: HealDeps;
  /** the process supervisor of `faultline start --workers N`: GET /v1/supervisor */
  supervisor?: SupervisorDeps['supervisor'];
  /** the model registry and training jobs: /v1/models… (absent: those routes are not served) */
  models?: ModelsRouteOptions;
  /** POST /v1/labels writes operator labels here (the labels topic; absent: the route is not served) */
  labels?: LabelSink;
  /** POST /api/v1/write, the Prometheus remote-write receiver (default: on, with the defaults of `remoteWrite:`) */
  remoteWrite?: RemoteWriteConfig;
}

const VERSION = '0.1.0';
/** Longest path parameter the router passes to a route (above every route's own limit, so zod names the field). */
const MAX_PARAM_LENGTH = 2048;

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
    case 'FST_ERR_BAD_URL':
      return new ApiError(400, 'invalid_path', 'the path has an invalid percent-encoded component', false);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError(400, 'invalid_path', `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`, false);
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = status === 400 && err instanceof SyntaxError ? 'invalid_json' : 'bad_request';
    return new ApiError(status, code, e.message ?? 'bad request', false);
  }
  return new ApiError(Math.max(status, 500), 'internal', 'internal error', false, undefined, { cause: err });
}

/**
 * Fastify 5 takes pino options as `logger` but an existing logger only as `loggerInstance`. Options
 * get the secret headers redacted; a given logger instance must bring its own redaction.
 */
function loggerOption(logger: ApiDeps['logger']): { logger: boolean | object } | { loggerInstance: FastifyBaseLogger } {
  const l = logger as Partial<FastifyBaseLogger> | undefined;
  if (l && typeof l === 'object' && typeof l.child === 'function' && typeof l.info === 'function') {
    return { loggerInstance: l as FastifyBaseLogger };
  }
  if (!logger) return { logger: false };
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  return { logger: logger === true ? { redact } : { ...(logger as object), redact } };
}

/**
 * Builds the HTTP API (not listening yet: call `app.listen({ host, port })` or use `startApi`).
 * Routes validate their input with zod; the JSON Schemas on the routes only feed the OpenAPI
 * document, so fastify's own validator and response serializer are bypassed.
 */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const keyring = createKeyring(config.keys ?? []);
  const metrics = deps.metrics ?? createMetrics();
  const app = Fastify({
    ...loggerOption(deps.logger),
    bodyLimit: config.bodyLimitBytes,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // errors the router raises before any route (bad percent-encoding, overlong parameter) get the API's error shape
    frameworkErrors: (err, _req, reply) => {
      const apiErr = toApiError(err, config.bodyLimitBytes);
      return (reply as FastifyReply).code(apiErr.status).send(apiErr.toBody());
    },
  });

  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((err, req, reply) => {
    const apiErr = toApiError(err, config.bodyLimitBytes);
    if (apiErr.code === 'internal') req.log.error({ err }, 'unhandled error');
    if (apiErr.retriable && !reply.hasHeader('retry-after')) reply.header('retry-after', '1');
    if (apiErr.status === 401) reply.header('www-authenticate', 'Bearer realm="faultline"');
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
        { name: 'health', description: 'Liveness, readiness and Prometheus metrics' },
        { name: 'actions', description: 'Self-healing: status, approvals (when the heal engine runs in this process)' },
        { name: 'models', description: 'Trained models: registry, training jobs, promotion, predictions, labels' },
        { name: 'docs', description: 'This document' },
      ],
      components: { securitySchemes: SECURITY_SCHEMES },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  installCors(app, config.cors ?? { origins: [] });
  installHttpMetrics(app, metrics);
  await installAuth(app, { keyring, rateLimit: config.rateLimit ?? RateLimitConfig.parse({}) });
  documentBodyLimit(app, config.bodyLimitBytes);

  const ingested = metrics.counter({
    name: 'faultline_api_points_ingested_total',
    help: 'Metric points accepted by POST /v1/metrics and written to Kafka',
  });
  await app.register(healthRoutes, { health: deps.health });
  await app.register(prometheusRoute, { metrics });
  await app.register(metricsRoutes, {
    sink: deps.sink,
    sinkTimeoutMs: deps.sinkTimeoutMs ?? 10_000,
    onAccepted: (n) => ingested.inc(undefined, n),
  });
  await app.register(remoteWriteRoutes, {
    sink: deps.sink,
    sinkTimeoutMs: deps.sinkTimeoutMs ?? 10_000,
    config: deps.remoteWrite ?? RemoteWriteConfig.parse({}),
    metrics,
  });
  await app.register(anomaliesRoutes, { views: deps.views });
  await app.register(seriesRoutes, { views: deps.views });
  await app.register(predictionsRoutes, { views: deps.views });
  // the model routes pull in tfjs (through the registry): loaded only when a registry is configured
  if (deps.models) await app.register((await import('./routes/models.js')).modelsRoutes, deps.models);
  if (deps.labels) await app.register(labelsRoutes, { sink: deps.labels, sinkTimeoutMs: deps.sinkTimeoutMs ?? 10_000 });
  const heal = deps.heal;
  const streamSources: StreamSource[] = [...(deps.stream?.sources ?? [])];
  if (heal) {
    streamSources.push((emit) => heal.records.subscribe((r) => r.kind === 'action' && emit('action', r.action)));
    await app.register(actionsRoutes, heal);
  }
  await app.register(streamRoute, {
    ...deps.stream,
    sources: streamSources,
    views: deps.views,
    heal: heal !== undefined,
  });
  if (deps.supervisor) await app.register(supervisorRoutes, { supervisor: deps.supervisor });
  if (deps.dashboard ?? true) await app.register(dashboardRoutes);
  await app.register(openapiRoute);

  await app.ready();
  return app;
}

/** Every documented route that takes a body can answer 413 (the server-wide body limit): say so in its schema. */
function documentBodyLimit(app: FastifyInstance, bodyLimitBytes: number): void {
  app.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method);
    if (!route.schema || !methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH')) return;
    const schema = route.schema as { response?: Record<string, unknown> };
    const limit = route.bodyLimit ?? bodyLimitBytes;
    schema.response = {
      ...(schema.response ?? {}),
      '413': schema.response?.['413'] ?? errorResponse(`Body larger than the limit (${limit} bytes)`),
    };
  });
}

/** Builds the API and listens on `config.host:config.port`; returns the app and its base URL. */
export async function startApi(deps: ApiDeps): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = await buildApi(deps);
  const url = await app.listen({ host: deps.config.host, port: deps.config.port });
  return { app, url, close: () => app.close() };
}
