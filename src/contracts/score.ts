import { z } from 'zod';
import { SCHEMA_VERSION } from './version.js';

/**
 * The common score scale, shared by every detector and the ensemble:
 *
 *   score = min(1, -log10(p) / 10)
 *
 * where p is the two-sided tail probability of the observation under the detector's model of
 * "normal". 0 = perfectly ordinary; 0.3 ≈ a 1-in-1,000 deviation (≈3.3σ); 0.6 ≈ 1-in-a-million
 * (≈4.9σ); 1 = 1-in-10^10 or rarer (≥6.5σ). Higher always means more anomalous.
 */
export const ScoreValue = z.number().min(0).max(1);

export const DetectorStatus = z.enum(['learning', 'ready']);
export type DetectorStatus = z.infer<typeof DetectorStatus>;

/** One scored point of one series, as detectors and the ensemble produce it. */
export const Score = z.object({
  ts: z.number(),
  value: z.number().nullable(),
  /** combined score on the common scale */
  score: ScoreValue,
  /** each detector's score on the common scale, by detector name */
  scores: z.record(z.string(), ScoreValue),
  /** what the ensemble expected, and the band it considered normal */
  expected: z.number().nullable(),
  lower: z.number().nullable(),
  upper: z.number().nullable(),
  status: DetectorStatus,
});
export type Score = z.infer<typeof Score>;

/**
 * Scores of one series for one consumed batch, as written to `faultline.scores`
 * (one message per series per batch keeps the topic light at high rates).
 */
export const SeriesScores = z.object({
  v: z.literal(SCHEMA_VERSION),
  source: z.string(),
  metric: z.string(),
  /** input partition/offset range this batch covers */
  partition: z.number().int(),
  fromOffset: z.string(),
  toOffset: z.string(),
  points: z.array(Score),
});
export type SeriesScores = z.infer<typeof SeriesScores>;
