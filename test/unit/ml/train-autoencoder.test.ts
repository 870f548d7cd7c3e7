import { describe, expect, it } from 'vitest';
import { buildDataset, gatherRows, SPLIT, splitIndex } from '../../../src/ml/dataset.js';
import { buildFrames } from '../../../src/ml/frames.js';
import { generateSamples } from '../../../src/ml/synthetic.js';
import { runTraining } from '../../../src/ml/train-run.js';

const SYN = { seed: 7, sources: 3, steps: 1500 };

describe('autoencoder training', () => {
  it('flags the faults early on the held-out tail and names the metric behind the error', {
    timeout: 120_000,
  }, async () => {
    const { result, model } = await runTraining({
      kind: 'autoencoder',
      samples: { synthetic: SYN },
      epochs: 20,
      batchSize: 128,
      learningRate: 0.005,
      patience: 5,
      save: false,
    });
    try {
      const e = result.evaluation;
      expect(e.events.faults).toBeGreaterThanOrEqual(5);
      expect(e.events.recall).toBeGreaterThanOrEqual(0.9);
      expect(e.events.meanLeadTimeMs).toBeGreaterThan(0);
      expect(e.prAuc).toBeGreaterThanOrEqual(0.8);

      // in resource-exhaustion precursors (memory leak) the memory metric carries most of the error
      const data = generateSamples(SYN);
      const ds = buildDataset(buildFrames(data.points), data.faults, { window: 20, horizonMs: data.horizonMs });
      const leaks = data.faults.filter((f) => f.type === 'resource_exhaustion');
      const idx = splitIndex(ds, SPLIT.test, (i) => {
        const src = ds.sources[ds.src[i] as number];
        const t = ds.end[i] as number;
        return leaks.some((f) => f.source === src && t >= f.start - data.horizonMs / 2 && t < f.start);
      });
      expect(idx.length).toBeGreaterThan(0);
      const out = model.predict(gatherRows(ds.x, ds.D, idx), idx.length);
      if (out.kind !== 'autoencoder') throw new Error('expected an autoencoder');
      const M = ds.schema.metrics.length;
      const mem = ds.schema.metrics.indexOf('mem');
      let top = 0;
      for (let j = 0; j < idx.length; j++) {
        const shares = Array.from(out.share.subarray(j * M, (j + 1) * M));
        if (shares.indexOf(Math.max(...shares)) === mem) top++;
      }
      expect(top / idx.length).toBeGreaterThanOrEqual(0.8);
      expect(Math.min(...out.score)).toBeGreaterThan(0.3);
    } finally {
      model.dispose();
    }
  });
});
