import { z } from 'zod';
import { Duration } from '../config/duration.js';

/**
 * Parameters of each detector kind, as they appear in a pipeline YAML (`detectors:` list).
 * The detect module owns these; defaults are the tuned defaults.
 */
const base = { name: z.string().min(1).optional(), weight: z.number().positive().default(1) };

/**
 * Record calibration (record.ts): score a residual by how far it beats the series' own largest
 * residual of that sign, instead of by its Gaussian tail. Used when `calibrate: record`.
 */
export const RecordConfig = z
  .object({
    /** a residual must beat margin × the record to score; 0.5 at 1.2 × margin × the record */
    margin: z.number().positive().default(1),
    /** residuals learnt (once the model is ready) before records are scored */
    warmup: z.number().int().nonnegative().default(100),
    /** a record within this many points of the previous one (same sign) scores 0 */
    quiet: z.number().int().nonnegative().default(5),
    /** the records decay with this half-life, in learnt points (0 = never) */
    halfLife: z.number().nonnegative().default(20_000),
    /** young records mean little: the margin starts (1 + settleMargin)× larger and relaxes over `settle` points */
    settle: z.number().int().nonnegative().default(500),
    settleMargin: z.number().nonnegative().default(0.5),
  })
  .strict();
export type RecordConfig = z.output<typeof RecordConfig>;

/** how a residual detector turns its residual into a score */
const calibration = {
  calibrate: z.enum(['gaussian', 'record']).default('gaussian'),
  record: RecordConfig.prefault({}),
};

export const ZScoreConfig = z
  .object({
    kind: z.literal('zscore'),
    ...base,
    halfLife: z.number().positive().default(200),
    warmup: z.number().int().nonnegative().default(30),
    ...calibration,
  })
  .strict();
export const RobustConfig = z
  .object({
    kind: z.literal('robust'),
    ...base,
    window: z.number().int().min(8).max(256).default(64),
    warmup: z.number().int().nonnegative().default(30),
    ...calibration,
    /**
     * record calibration only: also score the residual from the median of the last `window`
     * values (< the main window) against its own records, with its own margin
     */
    short: z
      .object({
        window: z.number().int().min(3),
        margin: z.number().positive().default(1),
      })
      .strict()
      .optional(),
  })
  .strict();
export const HoltConfig = z
  .object({
    kind: z.literal('holt'),
    ...base,
    alpha: z.number().gt(0).lt(1).default(0.3),
    beta: z.number().gt(0).lt(1).default(0.05),
    halfLife: z.number().positive().default(200),
    warmup: z.number().int().nonnegative().default(30),
    ...calibration,
  })
  .strict();
export const SeasonalConfig = z
  .object({
    kind: z.literal('seasonal'),
    ...base,
    period: z.enum(['daily', 'weekly']).default('daily'),
    bins: z.number().int().min(4).max(168).default(24),
    /** cycles seen before the detector leaves `learning` */
    minCycles: z.number().int().positive().default(2),
    /** memory of the profile (data time) */
    halfLife: Duration.prefault('14d'),
    /** memory of the level the profile rides on (data time); default period / 4 */
    levelHalfLife: Duration.optional(),
    ...calibration,
  })
  .strict();
export const CusumConfig = z
  .object({
    kind: z.literal('cusum'),
    ...base,
    /** slack in σ */
    k: z.number().nonnegative().default(0.5),
    /** decision interval in σ (10 with k = 0.5: ARL₀ ≈ 70,000 points, score ≈ 0.49 at the crossing) */
    h: z.number().positive().default(10),
    halfLife: z.number().positive().default(500),
    warmup: z.number().int().nonnegative().default(30),
  })
  .strict();

/**
 * Range (spatial novelty): how far a value falls outside the range of every value seen so far,
 * relative to that range — R = 1 + excess / (max − min), scored like a record (record.ts).
 * The extremes relax towards the middle with `record.halfLife` points.
 */
export const RangeConfig = z
  .object({
    kind: z.literal('range'),
    ...base,
    /** a new extreme counts only when it is beyond the range by more than this fraction of it */
    tolerance: z.number().nonnegative().default(0),
    record: RecordConfig.prefault({}),
  })
  .strict();

/**
 * Ensemble hold (`ensemble.hold`): once the combined score reaches `level`, for the next `points`
 * points a combined score not above the highest one since is reported as 0 — an incident reports
 * its onset, not its echoes in other detectors. `points: 0` = off. Per-detector scores are untouched.
 */
export const HoldConfig = z
  .object({
    points: z.number().int().nonnegative().default(0),
    level: z.number().gt(0).max(1).default(0.5),
  })
  .strict();
export type HoldConfig = z.output<typeof HoldConfig>;

export const DetectorConfig = z.discriminatedUnion('kind', [
  ZScoreConfig,
  RobustConfig,
  HoltConfig,
  SeasonalConfig,
  CusumConfig,
  RangeConfig,
]);
export type DetectorConfig = z.output<typeof DetectorConfig>;

export type ZScoreConfig = z.output<typeof ZScoreConfig>;
export type RobustConfig = z.output<typeof RobustConfig>;
export type HoltConfig = z.output<typeof HoltConfig>;
export type SeasonalConfig = z.output<typeof SeasonalConfig>;
export type CusumConfig = z.output<typeof CusumConfig>;
export type RangeConfig = z.output<typeof RangeConfig>;
/** What a pipeline file may say (defaults not yet applied). */
export type DetectorConfigInput = z.input<typeof DetectorConfig>;
