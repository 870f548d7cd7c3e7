import type { PipelineConfig } from '../../src/config/pipeline.js';
import { DetectorConfig } from '../../src/detect/config.js';

/** What `createSeriesScorer` takes. */
export type ScorerConfig = Pick<PipelineConfig, 'detectors' | 'ensemble' | 'alarms'>;

/** The name of a configured detector (its `name`, else its kind). */
export function detectorName(d: DetectorConfig): string {
  return d.name ?? d.kind;
}

/**
 * The scorer config for one run: the whole ensemble when `detector` is undefined, else that one
 * detector alone (found by name or kind in the pipeline, or a detector kind with its defaults),
 * with the pipeline's ensemble and alarm settings.
 */
export function selectDetectors(pipeline: ScorerConfig, detector?: string): ScorerConfig {
  const base = { ensemble: pipeline.ensemble, alarms: pipeline.alarms };
  if (detector === undefined) return { ...base, detectors: pipeline.detectors };
  const byName = pipeline.detectors.filter((d) => detectorName(d) === detector);
  const chosen = byName.length > 0 ? byName : pipeline.detectors.filter((d) => d.kind === detector);
  if (chosen.length > 0) return { ...base, detectors: chosen.map((d) => ({ ...d, weight: 1 })) };
  const parsed = DetectorConfig.safeParse({ kind: detector });
  if (!parsed.success) {
    const known = pipeline.detectors.map(detectorName).join(', ');
    throw new Error(`unknown detector "${detector}": not in the pipeline (${known}) and not a detector kind`);
  }
  return { ...base, detectors: [parsed.data] };
}

/** The single-detector names worth comparing: every detector of the pipeline. */
export function pipelineDetectorNames(pipeline: ScorerConfig): string[] {
  return pipeline.detectors.map(detectorName);
}
