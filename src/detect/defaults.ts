import { AlarmRule } from '../config/pipeline.js';
import { DetectorConfig, HoldConfig } from './config.js';
import type { Combine } from './ensemble.js';

/**
 * The recommended ensemble, as it would be written in a pipeline YAML (`detectors:`, `ensemble:`,
 * `alarms:`). pipelines/default.yaml mirrors this; callers without YAML use defaultDetectorConfig().
 *
 * Six views of "normal" in five detectors, each scored on the record scale (record.ts: how far a
 * point beats the largest deviation of its kind the series has shown so far), combined by max:
 *  - range: a value outside every value seen (relative to that range);
 *  - robust: a point far from the median of the last 64 points, or of the last 16 (spikes, dips);
 *  - zscore: far from the slow (half-life 200) mean (level excursions);
 *  - holt: far from the one-step level+trend forecast (breaks in a trend);
 *  - seasonal: far from the time-of-day profile (a day that does not look like the others).
 * Margins, `quiet` and the seasonal warm-up were chosen on the NAB corpus as ONE configuration
 * for all 58 series (bench/nab/EXPERIMENTS.md). The ensemble holds echoes: within 10 points of a
 * combined score >= 0.5, a score not above the peak since reports 0 (`ensemble.hold`).
 * NAB: standard 74.1 / low-FP 70.4 / low-FN 77.5.
 *
 * Alarm rules: NAB's sweep puts the threshold of the combined score at ≈ 0.55–0.58, where one
 * false alarm costs 0.11 of a caught anomaly. Operators weigh false alarms higher: on pure
 * Gaussian noise (964 points, 40 seeds) 0.55 fires several times per series early in its life,
 * 0.75 ≈ 0.2 times. So `anomaly` fires at 0.75 (≈ 1.44 × a detector's margin-adjusted record) and
 * `critical` at 0.98 (≈ 2.8 ×); the score itself is what NAB measures.
 */
export const DEFAULT_DETECT_YAML = {
  detectors: [
    { kind: 'range', record: { margin: 0.8, quiet: 10, halfLife: 0 } },
    {
      kind: 'robust',
      window: 64,
      warmup: 3,
      calibrate: 'record',
      record: { margin: 0.9, quiet: 10 },
      short: { window: 16, margin: 1.1 },
    },
    { kind: 'zscore', halfLife: 200, warmup: 30, calibrate: 'record', record: { margin: 0.95, quiet: 10 } },
    {
      kind: 'holt',
      alpha: 0.3,
      beta: 0.05,
      halfLife: 200,
      warmup: 30,
      calibrate: 'record',
      record: { margin: 1.8, quiet: 10 },
    },
    {
      kind: 'seasonal',
      period: 'daily',
      bins: 24,
      minCycles: 2,
      halfLife: '14d',
      calibrate: 'record',
      record: { margin: 1.6, quiet: 10, warmup: 300 },
    },
  ],
  ensemble: { combine: 'max' as Combine, hold: { points: 10, level: 0.5 } },
  alarms: [
    {
      name: 'anomaly',
      threshold: 0.75,
      minHits: 1,
      window: '5m',
      suppress: '30m',
      recover: '10m',
      severity: 'warning',
    },
    {
      name: 'critical',
      // ≈ 2.8 × a detector's margin-adjusted record: far beyond anything the series has done
      threshold: 0.98,
      minHits: 1,
      window: '5m',
      suppress: '1h',
      recover: '15m',
      severity: 'critical',
    },
  ],
} as const;

export interface DetectConfig {
  detectors: DetectorConfig[];
  ensemble: { combine: Combine; hold: HoldConfig };
  alarms: AlarmRule[];
}

/** The tuned default detectors, combination and alarm rules, parsed (defaults applied). */
export function defaultDetectorConfig(): DetectConfig {
  return {
    detectors: DEFAULT_DETECT_YAML.detectors.map((d) => DetectorConfig.parse(d)),
    ensemble: {
      combine: DEFAULT_DETECT_YAML.ensemble.combine,
      hold: HoldConfig.parse(DEFAULT_DETECT_YAML.ensemble.hold),
    },
    alarms: DEFAULT_DETECT_YAML.alarms.map((a) => AlarmRule.parse(a)),
  };
}
