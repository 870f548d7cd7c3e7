import { z } from 'zod';
import { SCHEMA_VERSION } from './version.js';

/** Epoch milliseconds or an ISO 8601 string; always normalised to epoch ms. */
export const Timestamp = z
  .union([
    z.number().finite().nonnegative(),
    z
      .string()
      .min(1)
      .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO 8601 date-time' }),
  ])
  .transform((t) => (typeof t === 'number' ? t : Date.parse(t)));

const name = z.string().min(1, 'must not be empty').max(256, 'at most 256 characters');

/**
 * One observation of one metric of one source.
 * `value: null` marks a missing observation (JSON has no NaN); detectors skip it.
 */
export const MetricPoint = z
  .object({
    v: z.literal(SCHEMA_VERSION).default(SCHEMA_VERSION),
    ts: Timestamp,
    source: name,
    metric: name,
    value: z.number().nullable(),
    labels: z.record(z.string(), z.string()).optional(),
  })
  .strict();

/** A validated point: ts is epoch ms. */
export type MetricPoint = z.output<typeof MetricPoint>;
/** What a producer may send (ts may be an ISO string, v may be omitted). */
export type MetricPointInput = z.input<typeof MetricPoint>;

/** Most points one metrics message may carry (see MetricMessage). */
export const MAX_POINTS_PER_MESSAGE = 1000;

/**
 * The value of a message on the metrics topic: one MetricPoint, or — for high-volume producers —
 * a JSON array of up to MAX_POINTS_PER_MESSAGE points of ONE series (the message key), in time
 * order. Batching amortises Kafka's per-message cost; a batch is validated as a unit (one bad
 * point dead-letters the whole message, with the index of the bad point in the reason).
 */
export const MetricMessage = z.union([MetricPoint, z.array(MetricPoint).min(1).max(MAX_POINTS_PER_MESSAGE)]);
