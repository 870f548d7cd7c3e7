import { describe, expect, it } from 'vitest';
import { runTraining, type TrainProgress } from '../../../src/ml/train-run.js';

/**
 * Quality gate: on seeded generated data with a clear precursor before each fault, the fault
 * predictor trained with the defaults' method (small data, few epochs) must reach F1 >= 0.9 on the
 * held-out tail and warn before the faults start.
 */
describe('fault predictor training', () => {
  it('reaches F1 >= 0.9 with a positive lead time on the held-out tail', { timeout: 120_000 }, async () => {
    const progress: TrainProgress[] = [];
    const { result, model } = await runTraining(
      {
        kind: 'predictor',
        samples: { synthetic: { seed: 8, sources: 3, steps: 1500 } },
        epochs: 25,
        batchSize: 128,
        learningRate: 0.005,
        patience: 5,
        save: false,
      },
      (p) => progress.push(p),
    );
    try {
      const e = result.evaluation;
      expect(e.f1).toBeGreaterThanOrEqual(0.9);
      expect(e.prAuc).toBeGreaterThanOrEqual(0.9);
      expect(e.events.faults).toBeGreaterThanOrEqual(5);
      expect(e.events.f1).toBeGreaterThanOrEqual(0.9);
      expect(e.events.meanLeadTimeMs).toBeGreaterThan(0);
      expect(result.classes).toEqual(['node_failure', 'performance_degradation', 'resource_exhaustion']);
      // time-ordered split, early stopping with the best weights, progress per epoch
      const t = result.training;
      expect(t.from).toBeLessThan(t.trainEnd);
      expect(t.trainEnd).toBeLessThan(t.valEnd);
      expect(t.valEnd).toBeLessThan(t.to);
      expect(t.bestEpoch).toBeGreaterThan(0);
      expect(t.bestEpoch).toBeLessThanOrEqual(t.epochs);
      const epochs = progress.filter((p) => p.type === 'epoch');
      expect(epochs).toHaveLength(t.epochs);
      expect(epochs.every((p) => Number.isFinite(p.loss) && Number.isFinite(p.valLoss) && p.etaMs >= 0)).toBe(true);
      // calibrated probabilities, one per class
      if (model.kind !== 'predictor') throw new Error('expected a predictor');
      expect(model.meta.calibration).toHaveLength(3);
      expect(model.meta.calibration.every((c) => c.a > 0)).toBe(true);
    } finally {
      model.dispose();
    }
  });

  it('is deterministic: the same seed gives the same weights and evaluation', { timeout: 60_000 }, async () => {
    const req = {
      kind: 'predictor' as const,
      samples: { synthetic: { seed: 3, sources: 2, steps: 400, meanGap: 60 } },
      window: 10,
      epochs: 3,
      seed: 42,
      save: false,
    };
    const a = await runTraining(req);
    const b = await runTraining(req);
    try {
      expect(b.result.evaluation).toEqual(a.result.evaluation);
      expect(b.result.training.history).toEqual(a.result.training.history);
      const wa = a.model.net.getWeights().map((w) => Array.from(w.dataSync()));
      const wb = b.model.net.getWeights().map((w) => Array.from(w.dataSync()));
      expect(wb).toEqual(wa);
    } finally {
      a.model.dispose();
      b.model.dispose();
    }
  });
});
