import type { FastifyPluginAsync } from 'fastify';
import { MetricPoint } from '../../contracts/index.js';
import { InputError, UnavailableError } from '../errors.js';
import { parseInput } from '../issues.js';
import {
  AcceptedResponse,
  errorResponse,
  jsonSchema,
  MetricBatch,
  MetricEnvelope,
  MetricsBody,
  response,
} from '../schemas.js';

/** Where accepted points go: the Kafka producer (or a fake in unit tests). */
export interface PointSink {
  sendPoints(points: MetricPoint[]): Promise<void>;
}

export interface MetricsRouteOptions {
  sink: PointSink;
  /** a sink call slower than this answers 503 (the points may still be written: delivery is at-least-once) */
  sinkTimeoutMs: number;
  /** called with the number of points once the sink accepted them */
  onAccepted?: (points: number) => void;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Validates a body that is one point, an array of points, or `{ points: [...] }`. */
export function parseMetricsBody(body: unknown): MetricPoint[] {
  if (body === undefined || body === null || body === '') {
    throw new InputError('invalid_body', [
      {
        path: '',
        message: 'expected a JSON body: a MetricPoint, an array of MetricPoints, or { "points": [...] }',
        code: 'missing_body',
      },
    ]);
  }
  if (Array.isArray(body)) return parseInput(MetricBatch, body, { code: 'invalid_body', prefix: 'points' });
  if (isPlainObject(body) && 'points' in body) return parseInput(MetricEnvelope, body, { code: 'invalid_body' }).points;
  return [parseInput(MetricPoint, body, { code: 'invalid_body' })];
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, opts) => {
  app.post(
    '/v1/metrics',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['ingest'],
        summary: 'Write metric points into Kafka',
        description:
          'Accepts one MetricPoint, an array of them, or `{ "points": [...] }`. Answers 202 once Kafka has the points. ' +
          'A 400 names each bad field and its index, e.g. `points[3].value: expected number, received string`.',
        body: jsonSchema(MetricsBody, 'input'),
        response: {
          202: response('Points written to Kafka', AcceptedResponse),
          400: errorResponse('Invalid body; `issues` names each bad field'),
          413: errorResponse('Body larger than the configured limit'),
          415: errorResponse('Content-Type is not application/json'),
          503: errorResponse('Kafka unavailable; retry later (retriable: true)'),
        },
      },
    },
    async (req, reply) => {
      const points = parseMetricsBody(req.body);
      try {
        await withTimeout(opts.sink.sendPoints(points), opts.sinkTimeoutMs);
      } catch (err) {
        req.log.warn({ err, points: points.length }, 'metric sink failed');
        throw new UnavailableError(
          `could not write ${points.length} point(s) to Kafka: ${(err as Error)?.message ?? String(err)}`,
          err,
        );
      }
      opts.onAccepted?.(points.length);
      return reply.code(202).send({ accepted: points.length });
    },
  );
};
