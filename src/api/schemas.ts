import { z } from 'zod';
import { AnomalyEvent, DetectorStatus, MetricPoint, Score } from '../contracts/index.js';

/**
 * The API's own request and response shapes (zod), and their JSON Schema for fastify/OpenAPI.
 * Requests are validated with zod in the handlers so that errors name the field; the JSON Schemas
 * only document the routes.
 */

// ---------- requests ----------

export const MetricBatch = z.array(MetricPoint).min(1, 'expected at least one point');
export const MetricEnvelope = z.object({ points: MetricBatch }).strict();
export const MetricsBody = z
  .union([MetricPoint, MetricBatch, MetricEnvelope])
  .describe('One MetricPoint, an array of MetricPoints, or `{ points: [...] }`. `ts` is epoch ms or ISO 8601.');

const positiveInt = (max: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `expected a positive integer (1..${max})`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be at least 1`).max(max, `must be at most ${max}`))
    .describe(what);

/** Epoch milliseconds or an ISO 8601 date-time, as a query string. */
export const SinceParam = z
  .string()
  .min(1, 'must not be empty')
  .transform((s, ctx) => {
    const t = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
    if (Number.isNaN(t)) {
      ctx.addIssue({ code: 'custom', message: 'expected epoch ms or an ISO 8601 date-time' });
      return z.NEVER;
    }
    return t;
  })
  .describe('only events with ts >= since (epoch ms or ISO 8601)');

const nameParam = (what: string) =>
  z.string().min(1, 'must not be empty').max(256, 'at most 256 characters').describe(what);

export const ANOMALIES_LIMIT = { default: 100, max: 1000 } as const;
export const AnomaliesQuery = z
  .object({
    source: nameParam('only this source').optional(),
    metric: nameParam('only this metric').optional(),
    since: SinceParam.optional(),
    limit: positiveInt(ANOMALIES_LIMIT.max, `at most this many events (default ${ANOMALIES_LIMIT.default})`).optional(),
  })
  .strict();

export const SeriesParams = z
  .object({ source: nameParam('series source'), metric: nameParam('series metric') })
  .strict();

export const SeriesQuery = z
  .object({ limit: positiveInt(100_000, 'at most this many recent points (default: all kept)').optional() })
  .strict();

export const SERIES_LIST_LIMIT = { default: 100, max: 1000 } as const;
export const SeriesListQuery = z
  .object({
    source: nameParam('only this source').optional(),
    metric: nameParam('only this metric').optional(),
    limit: positiveInt(
      SERIES_LIST_LIMIT.max,
      `at most this many series (default ${SERIES_LIST_LIMIT.default})`,
    ).optional(),
  })
  .strict();

// ---------- responses ----------

export const ErrorResponse = z.object({
  error: z.string().describe('machine-readable kind, e.g. invalid_body'),
  message: z.string().describe('what is wrong, naming the field and where'),
  issues: z
    .array(z.object({ path: z.string(), message: z.string(), code: z.string() }))
    .optional()
    .describe('one entry per bad field (at most 20)'),
  retriable: z.boolean().describe('true when the same request may succeed later'),
});

export const AcceptedResponse = z.object({ accepted: z.number().int().describe('points written to Kafka') });

export const AnomaliesResponse = z.object({
  count: z.number().int(),
  anomalies: z.array(AnomalyEvent).describe('newest first (by event ts)'),
});

export const SeriesView = z.object({
  id: z.string().describe('series id (source|metric), the Kafka message key'),
  source: z.string(),
  metric: z.string(),
  status: DetectorStatus,
  lastTs: z.number().nullable().describe('ts of the newest scored point'),
  latest: Score.nullable().describe('the newest scored point: value, scores, expected and band'),
  points: z.array(Score).describe('recent scored points, oldest first'),
  lastAnomaly: AnomalyEvent.nullable(),
});
export type SeriesView = z.infer<typeof SeriesView>;

export const SeriesSummary = z.object({
  id: z.string(),
  source: z.string(),
  metric: z.string(),
  status: DetectorStatus,
  lastTs: z.number().nullable(),
  lastValue: z.number().nullable(),
  lastScore: z.number().nullable(),
  lastAnomalyAt: z.number().nullable().describe('ts of the last anomaly event of the series'),
});
export type SeriesSummary = z.infer<typeof SeriesSummary>;

export const SeriesListResponse = z.object({
  count: z.number().int(),
  series: z.array(SeriesSummary).describe('highest last score first'),
});

export const HealthResponse = z.object({ status: z.literal('ok'), uptimeSec: z.number() });

export const ReadyResponse = z.object({
  ready: z.boolean(),
  broker: z.boolean().describe('the Kafka broker answered'),
  consumersAssigned: z.boolean().describe('the view feed has its partitions assigned'),
  details: z.record(z.string(), z.unknown()).optional(),
  error: z.string().optional(),
  message: z.string().optional(),
  retriable: z.boolean().optional(),
});

// ---------- JSON Schema for fastify / OpenAPI ----------

/** JSON Schema (OpenAPI 3.0 dialect) of a zod schema; `io: 'input'` for requests, `'output'` for responses. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
    reused: 'inline',
  }) as Record<string, unknown>;
  return rest;
}

/** Response schema entry with a description (OpenAPI requires one per response). */
export function response(description: string, schema: z.ZodType): Record<string, unknown> {
  return { description, ...jsonSchema(schema) };
}

export const errorResponse = (description: string) => response(description, ErrorResponse);
