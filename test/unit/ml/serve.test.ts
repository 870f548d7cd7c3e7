import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Prediction } from '../../../src/contracts/prediction.js';
import { initBackend } from '../../../src/ml/backend.js';
import type { ModelMeta } from '../../../src/ml/meta.js';
import { wrapModel } from '../../../src/ml/model.js';
import { PredictionStream } from '../../../src/ml/serve.js';
import { smallData, untrainedModel } from './helpers.js';

const { data, ds } = smallData();

beforeAll(async () => {
  await initBackend();
});

function model(kind: 'autoencoder' | 'predictor') {
  const { net, draft } = untrainedModel(kind, ds);
  return wrapModel(net, { ...draft, name: 'm', version: 1, files: {} } as ModelMeta);
}

describe('PredictionStream (serving through the shared feature pipeline)', () => {
  it.each(['predictor', 'autoencoder'] as const)(
    '%s: streaming points gives exactly the training-path predictions',
    async (kind) => {
      const m = model(kind);
      const stream = new PredictionStream(m, { name: 'm', version: 1, kind });
      for (const p of data.points) stream.push(p);
      stream.end();
      const preds = stream.drain();
      expect(preds).toHaveLength(ds.n);
      const batch = m.predict(ds.x, ds.n);
      // the dataset orders windows by source, then time
      const order = [...preds].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.ts - b.ts));
      order.forEach((p, i) => {
        expect(Prediction.parse(p)).toEqual(p);
        expect(p.ts).toBe(ds.end[i]);
        if (batch.kind === 'predictor') {
          const K = ds.classes.length;
          for (let k = 0; k < K; k++) {
            const f = p.faults.find((x) => x.type === ds.classes[k]);
            expect(f?.p).toBe(batch.probs[i * K + k]);
          }
        } else if (batch.kind === 'autoencoder') {
          expect(p.score).toBe(batch.score[i]);
          expect(p.contributors.length).toBeGreaterThan(0);
        }
      });
      m.dispose();
    },
  );

  it('drops late points and ignores unknown metrics', () => {
    const m = model('predictor');
    const s = new PredictionStream(m, { name: 'm', version: 1, kind: 'predictor' });
    const metric = ds.schema.metrics[0] as string;
    s.push({ v: 1, ts: 2000, source: 'x', metric, value: 1 });
    s.push({ v: 1, ts: 3000, source: 'x', metric, value: 1 });
    s.push({ v: 1, ts: 1000, source: 'x', metric, value: 1 });
    s.push({ v: 1, ts: 4000, source: 'x', metric: 'unknown', value: 1 });
    expect(s.late).toBe(1);
    expect(s.state('x')?.n).toBe(1);
    m.dispose();
  });

  it('no tensor leak over repeated batched predictions', () => {
    for (const kind of ['predictor', 'autoencoder'] as const) {
      const m = model(kind);
      m.predict(ds.x, ds.n); // warm-up
      const before = tf.memory().numTensors;
      for (let i = 0; i < 30; i++) m.predict(ds.x, ds.n);
      const stream = new PredictionStream(m, { name: 'm', version: 1, kind });
      for (const p of data.points) stream.push(p);
      stream.drain();
      expect(tf.memory().numTensors).toBe(before);
      m.dispose();
    }
  });
});
