import { z } from 'zod';
import { FaultType } from './fault.js';
import { ScoreValue } from './score.js';
import { SCHEMA_VERSION } from './version.js';

export const ModelKind = z.enum(['autoencoder', 'predictor', 'forecaster']);
export type ModelKind = z.infer<typeof ModelKind>;

/** Which model (registry name and version) made a prediction. */
export const ModelRef = z.object({
  name: z.string().min(1),
  version: z.number().int().positive(),
  kind: ModelKind,
});
export type ModelRef = z.infer<typeof ModelRef>;

/** A metric's share of an autoencoder's reconstruction error (shares of one prediction sum to <= 1). */
export const MetricContribution = z.object({ metric: z.string(), share: z.number().min(0).max(1) });
export type MetricContribution = z.infer<typeof MetricContribution>;

/** Calibrated probability that a fault of `type` starts within the horizon (0.8 ≈ 80 %). */
export const FaultProbability = z.object({ type: FaultType, p: z.number().min(0).max(1) });
export type FaultProbability = z.infer<typeof FaultProbability>;

/** A forecaster's expected values of one metric at each forecast step, with the band around them. */
export const ForecastPath = z.object({
  metric: z.string(),
  /** expected value at ts + (i + 1) × stepMs */
  expected: z.array(z.number()),
  lower: z.array(z.number()),
  upper: z.array(z.number()),
});
export type ForecastPath = z.infer<typeof ForecastPath>;

/** The expected next values of a source's metrics with a band (`band` = its nominal coverage, e.g. 0.8). */
export const Forecast = z.object({
  stepMs: z.number().positive(),
  band: z.number().gt(0).lt(1),
  metrics: z.array(ForecastPath),
});
export type Forecast = z.infer<typeof Forecast>;

/**
 * Time to breach: when a metric is predicted to cross its limit. `inMs` = time from `ts` to the
 * first forecast step whose breach probability is >= 0.5 (0 = already beyond the limit; null = not
 * within the horizon); `at` = ts + inMs; `p` = the highest breach probability over the horizon.
 */
export const Breach = z.object({
  metric: z.string(),
  limit: z.number(),
  direction: z.enum(['above', 'below']),
  inMs: z.number().nonnegative().nullable(),
  at: z.number().nullable(),
  p: z.number().min(0).max(1),
});
export type Breach = z.infer<typeof Breach>;

/**
 * One model prediction for one source at data time `ts` (the end of the window it saw), as written
 * to `faultline.predictions` (key = source). `id` is deterministic (source, model, ts) so a
 * re-processed batch yields the same id.
 */
export const Prediction = z.object({
  v: z.literal(SCHEMA_VERSION),
  id: z.string(),
  ts: z.number(),
  source: z.string(),
  model: ModelRef,
  /** predictor: the look-ahead the probabilities refer to; forecaster: the forecast horizon; autoencoder: 0 */
  horizonMs: z.number().nonnegative(),
  /** autoencoder: anomaly score on the common scale (contracts/score.ts); predictor: null */
  score: ScoreValue.nullable(),
  /** predictor: one entry per fault type the model knows, most likely first; autoencoder: [] */
  faults: z.array(FaultProbability),
  /** autoencoder: the metrics contributing most to the reconstruction error, largest first */
  contributors: z.array(MetricContribution),
  /** human-readable summary */
  reason: z.string(),
  /** forecaster only: expected next values with a band */
  forecast: Forecast.optional(),
  /** forecaster only: time to breach of each metric with a limit */
  breaches: z.array(Breach).optional(),
});
export type Prediction = z.infer<typeof Prediction>;
