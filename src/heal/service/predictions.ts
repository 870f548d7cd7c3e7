import type { AnomalyEvent } from '../../contracts/anomaly.js';
import type { Prediction } from '../../contracts/prediction.js';
import { SCHEMA_VERSION } from '../../contracts/version.js';

/** The pseudo-metric of a predicted fault type: `predicted_<type>` (classification rules can match `predicted_*`). */
export const predictedMetric = (type: string): string => `predicted_${type}`;

/**
 * Fault predictions as the anomaly events the heal engine takes (it has no prediction input; the chaos
 * runner does the same): per source, a firing warning on `predicted_<type>` when the most likely fault
 * reaches `threshold`, resolved when it falls below `threshold × hysteresis`. Autoencoder predictions
 * (no fault probabilities) are left to the detectors. Deterministic ids: a re-read prediction yields
 * the same event. Time is the prediction's data time.
 */
export class PredictionWarnings {
  /** per source: the type of the open warning */
  private readonly open = new Map<string, { type: string; model: string }>();

  constructor(
    private readonly threshold: number,
    private readonly hysteresis: number,
  ) {}

  toEvents(p: Prediction): AnomalyEvent[] {
    const top = [...p.faults].sort((a, b) => b.p - a.p)[0];
    if (!top) return [];
    const model = `${p.model.name}@${p.model.version}`;
    const open = this.open.get(p.source);
    if (!open) {
      if (top.p < this.threshold) return [];
      this.open.set(p.source, { type: top.type, model });
      return [this.event(p, top.type, top.p, 'firing', model)];
    }
    const current = p.faults.find((f) => f.type === open.type)?.p ?? 0;
    if (current >= this.threshold * this.hysteresis) return [];
    this.open.delete(p.source);
    const out = [this.event(p, open.type, current, 'resolved', model)];
    if (top.p >= this.threshold) {
      this.open.set(p.source, { type: top.type, model });
      out.push(this.event(p, top.type, top.p, 'firing', model));
    }
    return out;
  }

  private event(p: Prediction, type: string, prob: number, state: 'firing' | 'resolved', model: string): AnomalyEvent {
    const metric = predictedMetric(type);
    const minutes = Math.round(p.horizonMs / 60_000);
    return {
      v: SCHEMA_VERSION,
      id: `${p.source}|${metric}:${model}:${p.ts}${state === 'resolved' ? ':resolved' : ''}`,
      state,
      ts: p.ts,
      source: p.source,
      metric,
      severity: 'warning',
      score: prob,
      scores: { [model]: prob },
      value: prob,
      expected: null,
      lower: null,
      upper: null,
      startedAt: p.ts,
      reason:
        state === 'firing'
          ? `${model}: ${type} expected within ${minutes} min (p ${Math.round(prob * 100)} %)`
          : `${model}: ${type} no longer expected (p ${Math.round(prob * 100)} %)`,
      rule: 'prediction',
    };
  }
}
