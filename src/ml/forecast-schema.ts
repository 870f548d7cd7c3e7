import { z } from 'zod';

/**
 * Schemas of the forecaster's part of meta.json (kept apart from meta.ts so that file only adds the
 * kind to its union).
 */

/** A metric's limit(s): a breach is a value above `above` or below `below`. */
export const MetricLimit = z
  .object({ above: z.number().optional(), below: z.number().optional() })
  .strict()
  .refine((l) => l.above !== undefined || l.below !== undefined, { message: 'give `above` and/or `below`' });
export type MetricLimit = z.infer<typeof MetricLimit>;

/** Limits per metric name. */
export const BreachLimits = z.record(z.string(), MetricLimit);
export type BreachLimits = z.infer<typeof BreachLimits>;

/** How the network's outputs map to forecasts. */
export const ForecastSpec = z
  .object({
    /** forecast steps; step j (1-based) is `j × stride` rows after the window's last row */
    steps: z.number().int().positive(),
    stride: z.number().int().positive(),
    /** nominal coverage of the band and its half-width in calibrated scales (the Laplace quantile) */
    band: z.number().gt(0).lt(1),
    z: z.number().positive(),
    /** per (step, metric), steps × M: sigma multiplier fitted on the validation split so the band covers `band` */
    sigmaScale: z.array(z.number().positive()),
  })
  .strict();
export type ForecastSpec = z.infer<typeof ForecastSpec>;

export const MetricError = z.object({
  /** mean absolute error (raw units) at the first step, the last step, and over all steps */
  next: z.number(),
  horizon: z.number(),
  mean: z.number(),
  /** the same over all steps for "the last value stays" (the baseline to beat) */
  persistence: z.number(),
  /** fraction of actual values inside the band (nominal: `band`) */
  coverage: z.number(),
});
export type MetricError = z.infer<typeof MetricError>;

/** Forecast quality on the held-out tail (the breach-warning evaluation is the model's `evaluation`). */
export const ForecastEval = z.object({
  /** forecast targets evaluated (window × step × metric, observed values only) */
  targets: z.number().int(),
  band: z.number(),
  /** fraction of all evaluated actual values inside the band */
  coverage: z.number(),
  /** mean over metrics of MAE / the scaler's scale (unit-free) */
  scaledMae: z.number(),
  scaledMaePersistence: z.number(),
  metrics: z.record(z.string(), MetricError),
});
export type ForecastEval = z.infer<typeof ForecastEval>;
