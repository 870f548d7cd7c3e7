import { AlarmRule } from '../config/pipeline.js';
import { DetectorConfig } from './config.js';
import type { Combine } from './ensemble.js';

/**
 * The recommended ensemble, as it would be written in a pipeline YAML (`detectors:`, `ensemble:`,
 * `alarms:`). pipelines/default.yaml mirrors this; callers without YAML use defaultDetectorConfig().
 */
export const DEFAULT_DETECT_YAML = {
  detectors: [
    { kind: 'zscore', halfLife: 200, warmup: 30 },
    { kind: 'robust', window: 64, warmup: 30 },
    { kind: 'holt', alpha: 0.3, beta: 0.05, halfLife: 200, warmup: 30 },
    { kind: 'seasonal', period: 'daily', bins: 24, minCycles: 2, halfLife: '14d' },
    { kind: 'cusum', k: 0.5, h: 10, halfLife: 500, warmup: 30 },
  ],
  ensemble: { combine: 'max' as Combine },
  alarms: [
    { name: 'anomaly', threshold: 0.5, minHits: 1, window: '5m', suppress: '30m', recover: '10m', severity: 'warning' },
    {
      name: 'critical',
      threshold: 0.9,
      minHits: 3,
      // 15m, not 5m: three hits must be possible at 5-minute sampling too
      window: '15m',
      suppress: '1h',
      recover: '15m',
      severity: 'critical',
    },
  ],
} as const;

export interface DetectConfig {
  detectors: DetectorConfig[];
  ensemble: { combine: Combine };
  alarms: AlarmRule[];
}

/** The tuned default detectors, combination and alarm rules, parsed (defaults applied). */
export function defaultDetectorConfig(): DetectConfig {
  return {
    detectors: DEFAULT_DETECT_YAML.detectors.map((d) => DetectorConfig.parse(d)),
    ensemble: { combine: DEFAULT_DETECT_YAML.ensemble.combine },
    alarms: DEFAULT_DETECT_YAML.alarms.map((a) => AlarmRule.parse(a)),
  };
}
