import type { AnomalyEvent } from '../../../src/contracts/anomaly.js';
import type { SeriesScorer } from '../../../src/detect/scorer.js';

/** A tiny deterministic scorer for pure worker tests: a value > 100 is a spike and fires an event. */
export interface StubState {
  n: number;
  sum: number;
}

export const stubScorer: SeriesScorer<StubState> = {
  init: () => ({ n: 0, sum: 0 }),
  update(state, point, meta) {
    const v = point.value;
    const mean = state.n > 0 ? state.sum / state.n : null;
    const spike = v !== null && v > 100;
    if (v !== null && Number.isFinite(v)) {
      state.n++;
      state.sum += v;
    }
    const events: AnomalyEvent[] = spike
      ? [
          {
            v: 1,
            id: `${meta.source}|${meta.metric}|spike|${point.ts}`,
            state: 'firing',
            ts: point.ts,
            source: meta.source,
            metric: meta.metric,
            ...(meta.labels ? { labels: meta.labels } : {}),
            severity: 'critical',
            score: 1,
            scores: { stub: 1 },
            value: v,
            expected: mean,
            lower: null,
            upper: null,
            startedAt: point.ts,
            reason: 'stub spike',
            rule: 'spike',
          },
        ]
      : [];
    return {
      score: {
        ts: point.ts,
        value: v,
        score: spike ? 1 : 0,
        scores: { stub: spike ? 1 : 0 },
        expected: mean,
        lower: null,
        upper: null,
        status: state.n > 3 ? 'ready' : 'learning',
      },
      events,
    };
  },
};
