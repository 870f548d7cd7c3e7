import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Metrics } from '../../metrics/registry.js';
import type { RemoteWriteConfig } from '../../prometheus/config.js';
import { RemoteWriteError } from '../../prometheus/errors.js';
import { droppedOf, type MapCounts, SampleMapper } from '../../prometheus/mapping.js';
import { receiveRemoteWrite } from '../../prometheus/receive.js';
import { ApiError, PayloadTooLargeError, UnavailableError } from '../errors.js';
import { errorResponse } from '../schemas.js';
import type { PointSink } from './metrics.js';

export interface RemoteWriteRouteOptions {
  sink: PointSink;
  /** a sink call slower than this answers 503, so Prometheus retries */
  sinkTimeoutMs: number;
  config: RemoteWriteConfig;
  /** counts requests and samples when given */
  metrics?: Metrics;
}

export const REMOTE_WRITE_PATH = '/api/v1/write';

class UnsupportedMediaError extends ApiError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message, false);
    this.name = 'UnsupportedMediaError';
  }
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Checks the remote-write 1.0 headers; throws 415 naming the header that is wrong. */
export function checkRemoteWriteHeaders(req: FastifyRequest): void {
  const type = (header(req, 'content-type') ?? '').toLowerCase();
  const [mediaType = '', ...params] = type.split(';').map((s) => s.trim());
  if (mediaType !== 'application/x-protobuf') {
    throw new UnsupportedMediaError(
      `Content-Type must be application/x-protobuf (Prometheus remote write 1.0), got ${type ? JSON.stringify(type) : 'none'}`,
    );
  }
  const proto = params.find((p) => p.startsWith('proto='))?.slice(6);
  if (proto && proto !== 'prometheus.writerequest') {
    throw new UnsupportedMediaError(
      `only remote write 1.0 (proto=prometheus.WriteRequest) is supported, got proto=${proto}`,
    );
  }
  const encoding = (header(req, 'content-encoding') ?? '').trim().toLowerCase();
  if (encoding !== 'snappy') {
    throw new UnsupportedMediaError(
      `Content-Encoding must be snappy (block format), got ${encoding ? JSON.stringify(encoding) : 'none'}`,
    );
  }
  const version = header(req, 'x-prometheus-remote-write-version');
  if (version !== undefined && !/^0\.1(\.|$)/.test(version.trim())) {
    throw new UnsupportedMediaError(
      `X-Prometheus-Remote-Write-Version ${JSON.stringify(version)} is not supported; send 0.1.0`,
    );
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const SAMPLE_OUTCOMES: Array<[keyof MapCounts, string]> = [
  ['points', 'accepted'],
  ['stale', 'stale'],
  ['nan', 'nan'],
  ['infinite', 'infinite'],
  ['badTimestamp', 'bad_timestamp'],
  ['rateFirst', 'rate_first'],
  ['outOfOrder', 'out_of_order'],
];

/**
 * `POST /api/v1/write`: a Prometheus remote-write 1.0 receiver. Samples become MetricPoints
 * (src/prometheus/mapping.ts) and go to the same sink as POST /v1/metrics. Answers 204 once the
 * sink has them; 400/413/415 for a request Prometheus must not retry; 503 (retriable) when the
 * sink fails, so Prometheus retries with backoff.
 */
export const remoteWriteRoutes: FastifyPluginAsync<RemoteWriteRouteOptions> = async (app, opts) => {
  const { config } = opts;
  if (!config.enabled) return;
  const mapper = new SampleMapper(config);
  const requests = opts.metrics?.counter({
    name: 'faultline_remote_write_requests_total',
    help: 'Prometheus remote-write requests by HTTP status',
    labelNames: ['code'],
  });
  const samples = opts.metrics?.counter({
    name: 'faultline_remote_write_samples_total',
    help: 'Remote-write samples: accepted (written as points) or dropped, by reason',
    labelNames: ['outcome'],
  });

  // this plugin's routes read the raw body whatever its Content-Type; the handler checks the headers
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.bodyLimitBytes }, (_req, body, done) =>
    done(null, body),
  );
  app.setErrorHandler((err: FastifyError, _req, _reply) => {
    // a too-large body names this route's own limit; everything goes on to the API's error handler
    throw err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? new PayloadTooLargeError(config.bodyLimitBytes) : err;
  });
  app.addHook('onResponse', async (_req, reply) => {
    requests?.inc({ code: reply.statusCode });
  });

  app.post(
    REMOTE_WRITE_PATH,
    {
      bodyLimit: config.bodyLimitBytes,
      config: { scope: 'ingest' },
      schema: {
        tags: ['ingest'],
        summary: 'Prometheus remote write 1.0 receiver',
        description:
          'Point a Prometheus `remote_write` here. The body is a protobuf WriteRequest compressed with snappy (block ' +
          'format), sent with `Content-Encoding: snappy`, `Content-Type: application/x-protobuf` and ' +
          '`X-Prometheus-Remote-Write-Version: 0.1.0`. Each sample becomes a MetricPoint: source = the `instance` ' +
          'label (else `job`), metric = `__name__{other="labels"}`; counters (`_total`) are written as ' +
          '`rate(...)` per second; stale markers, NaN and ±Inf are dropped. 204 once Kafka has the points.',
        consumes: ['application/x-protobuf'],
        headers: {
          type: 'object',
          properties: {
            'content-encoding': { type: 'string', enum: ['snappy'] },
            'x-prometheus-remote-write-version': { type: 'string', enum: ['0.1.0'] },
          },
          required: ['content-encoding'],
        },
        body: { type: 'string', format: 'binary', description: 'snappy-compressed protobuf WriteRequest' },
        response: {
          204: { description: 'Samples written to Kafka (dropped samples are counted in /metrics)', type: 'null' },
          400: errorResponse('Body is not snappy, not a WriteRequest, or a series has no __name__'),
          413: errorResponse('Body (or its decompressed size) larger than the configured limit'),
          415: errorResponse('Wrong Content-Type, Content-Encoding or remote-write version'),
          503: errorResponse('Kafka unavailable; Prometheus retries (retriable: true)'),
        },
      },
    },
    async (req, reply) => {
      checkRemoteWriteHeaders(req);
      const body = req.body;
      if (!Buffer.isBuffer(body)) throw new ApiError(400, 'invalid_body', 'expected a request body', false);
      let received: ReturnType<typeof receiveRemoteWrite>;
      try {
        received = receiveRemoteWrite(body, mapper, config);
      } catch (err) {
        if (err instanceof RemoteWriteError) {
          throw new ApiError(err.status, err.code, err.message, false, err.issues.length > 0 ? err.issues : undefined);
        }
        throw err;
      }
      const { points, counts } = received;
      if (points.length > 0) {
        try {
          await withTimeout(opts.sink.sendPoints(points), opts.sinkTimeoutMs);
        } catch (err) {
          req.log.warn({ err, points: points.length }, 'remote write: metric sink failed');
          throw new UnavailableError(
            `could not write ${points.length} point(s) to Kafka: ${(err as Error)?.message ?? String(err)}`,
            err,
          );
        }
      }
      received.commit();
      if (samples) for (const [k, outcome] of SAMPLE_OUTCOMES) if (counts[k] > 0) samples.inc({ outcome }, counts[k]);
      reply.header('x-faultline-points', String(counts.points));
      reply.header('x-faultline-dropped', String(droppedOf(counts)));
      return reply.code(204).send();
    },
  );
};
