import type { AnomalyEvent } from '../contracts/anomaly.js';
import type { Score } from '../contracts/score.js';

/**
 * The one entry point that every consumer of detection uses — the Kafka detect worker, the
 * `faultline score` CLI, the NAB runner and benchmarks — so they all run the same code.
 *
 * CONTRACT (implemented in this folder by ensemble.ts + alarm rules):
 *   const scorer = createSeriesScorer({ detectors, ensemble, alarms })   // from PipelineConfig
 *   const state = scorer.init()                 // plain JSON data, bounded (<= 4 KB)
 *   const { score, events } = scorer.update(state, { ts, value }, { source, metric, labels })
 */
export interface SeriesMeta {
  source: string;
  metric: string;
  labels?: Record<string, string>;
}

export interface ScoredPoint {
  score: Score;
  /** anomaly events the alarm rules decided at this point (firing and/or resolved), usually none */
  events: AnomalyEvent[];
}

export interface SeriesScorer<S = unknown> {
  init(): S;
  /** value null/NaN = missing: scored 0, not learnt */
  update(state: S, point: { ts: number; value: number | null }, meta: SeriesMeta): ScoredPoint;
}
