import { z } from 'zod';
import { ScoreValue } from './score.js';
import { SCHEMA_VERSION } from './version.js';

export const Severity = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof Severity>;

/**
 * An anomaly decided by the alarm rules. `id` is deterministic (series, rule, ts of the first
 * hit), so a re-processed batch after a crash yields the same id and consumers can de-duplicate.
 * `state: 'firing'` opens an anomaly; `state: 'resolved'` closes it (recovery).
 */
export const AnomalyEvent = z.object({
  v: z.literal(SCHEMA_VERSION),
  id: z.string(),
  state: z.enum(['firing', 'resolved']),
  ts: z.number(),
  source: z.string(),
  metric: z.string(),
  labels: z.record(z.string(), z.string()).optional(),
  severity: Severity,
  score: ScoreValue,
  scores: z.record(z.string(), ScoreValue),
  value: z.number().nullable(),
  expected: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  /** first ts of the anomaly (equals ts when firing) */
  startedAt: z.number(),
  /** human-readable: which metric, how far from expected, which detectors agreed */
  reason: z.string(),
  /** alarm rule name that decided it */
  rule: z.string(),
});
export type AnomalyEvent = z.infer<typeof AnomalyEvent>;
