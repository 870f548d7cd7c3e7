import type { DetectorConfig } from './config.js';
import { CusumDetector } from './cusum.js';
import type { Detector } from './detector.js';
import { DetectConfigError } from './errors.js';
import { HoltDetector } from './holt.js';
import { RangeDetector } from './range.js';
import { RobustDetector } from './robust.js';
import { SeasonalDetector } from './seasonal.js';
import { ZScoreDetector } from './zscore.js';

type Kind = DetectorConfig['kind'];
type Factory<K extends Kind> = (cfg: Extract<DetectorConfig, { kind: K }>) => Detector<unknown>;

/** kind → factory. A new detector kind is one file plus one line here (and its schema in config.ts). */
export const detectorRegistry: { [K in Kind]: Factory<K> } = {
  zscore: (cfg) => new ZScoreDetector(cfg) as Detector<unknown>,
  robust: (cfg) => new RobustDetector(cfg) as Detector<unknown>,
  holt: (cfg) => new HoltDetector(cfg) as Detector<unknown>,
  seasonal: (cfg) => new SeasonalDetector(cfg) as Detector<unknown>,
  cusum: (cfg) => new CusumDetector(cfg) as Detector<unknown>,
  range: (cfg) => new RangeDetector(cfg) as Detector<unknown>,
};

/** Build one detector from its (parsed) config. */
export function createDetector(cfg: DetectorConfig): Detector<unknown> {
  const factory = detectorRegistry[cfg.kind] as Factory<Kind> | undefined;
  if (!factory) throw new DetectConfigError(`unknown detector kind '${String(cfg.kind)}'`);
  return factory(cfg as never);
}

/** Build the ensemble's detectors; names (default: the kind) must be unique. */
export function createDetectors(cfgs: readonly DetectorConfig[]): Detector<unknown>[] {
  const seen = new Set<string>();
  return cfgs.map((cfg, i) => {
    const d = createDetector(cfg);
    if (seen.has(d.name)) {
      throw new DetectConfigError(
        `detectors[${i}]: name '${d.name}' is used twice — give each ${cfg.kind} detector a distinct 'name'`,
      );
    }
    seen.add(d.name);
    return d;
  });
}
