import { z } from 'zod';
import { Duration } from '../config/duration.js';

/**
 * Parameters of each detector kind, as they appear in a pipeline YAML (`detectors:` list).
 * The detect module owns these; defaults are the tuned defaults.
 */
const base = { name: z.string().min(1).optional(), weight: z.number().positive().default(1) };

export const ZScoreConfig = z
  .object({
    kind: z.literal('zscore'),
    ...base,
    halfLife: z.number().positive().default(200),
    warmup: z.number().int().nonnegative().default(30),
  })
  .strict();
export const RobustConfig = z
  .object({
    kind: z.literal('robust'),
    ...base,
    window: z.number().int().min(8).max(256).default(64),
    warmup: z.number().int().nonnegative().default(30),
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

export const DetectorConfig = z.discriminatedUnion('kind', [
  ZScoreConfig,
  RobustConfig,
  HoltConfig,
  SeasonalConfig,
  CusumConfig,
]);
export type DetectorConfig = z.output<typeof DetectorConfig>;

export type ZScoreConfig = z.output<typeof ZScoreConfig>;
export type RobustConfig = z.output<typeof RobustConfig>;
export type HoltConfig = z.output<typeof HoltConfig>;
export type SeasonalConfig = z.output<typeof SeasonalConfig>;
export type CusumConfig = z.output<typeof CusumConfig>;
/** What a pipeline file may say (defaults not yet applied). */
export type DetectorConfigInput = z.input<typeof DetectorConfig>;
