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
    halfLife: Duration.prefault('14d'),
  })
  .strict();
export const CusumConfig = z
  .object({
    kind: z.literal('cusum'),
    ...base,
    /** slack in σ */
    k: z.number().nonnegative().default(0.5),
    /** decision interval in σ */
    h: z.number().positive().default(5),
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
