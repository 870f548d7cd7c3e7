import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../../src/contracts/prediction.js';
import { modelToFiles } from '../../../src/ml/artifacts.js';
import { initBackend } from '../../../src/ml/backend.js';
import { loadModel, saveModel } from '../../../src/ml/registry.js';
import { PredictionStream } from '../../../src/ml/serve.js';
import { ServedModel } from '../../../src/predict/served.js';
import { smallData, tempDir, untrainedModel } from '../ml/helpers.js';

const root = tempDir('faultline-hotswap-');
const { data, ds } = smallData();
const W = ds.schema.window;

beforeAll(async () => {
  await initBackend();
});

async function save(name: string, kind: 'predictor' | 'autoencoder', seed: number) {
  const { net, draft } = untrainedModel(kind, ds, seed);
  const saved = await saveModel(root, name, await modelToFiles(net), draft);
  net.dispose();
  return saved;
}

/** feed points [from, to) and collect the predictions of every batch of 40 points */
function run(s: ServedModel, from: number, to: number, out: Prediction[]) {
  for (let i = from; i < to; i += 40) {
    for (const p of data.points.slice(i, Math.min(to, i + 40))) s.ingest(p);
    out.push(...s.predict());
  }
}

describe('hot swap in the predict worker', () => {
  it('a corrupt version is refused with a clear error and the running one stays live; a good one is swapped in with no lost point, its stream re-warmed exactly', async () => {
    await save('hs', 'predictor', 3);
    const s = new ServedModel({ name: 'hs', root, backend: 'test', graceMs: 0 });
    expect(await s.poll()).toBe('swapped');
    expect(s.stats()).toMatchObject({ version: 1, kind: 'predictor', swaps: 0 });
    const preds: Prediction[] = [];
    const third = Math.floor(data.points.length / 3);
    run(s, 0, third, preds);

    // v2: corrupt weights
    const v2 = await save('hs', 'predictor', 4);
    const weights = join(v2.dir, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[7] = (bytes[7] as number) ^ 0xff;
    writeFileSync(weights, bytes);
    expect(await s.poll()).toBe('refused');
    expect(await s.poll()).toBe('unchanged'); // refused once, not retried every poll
    const st = s.stats();
    expect(st.version).toBe(1);
    expect(st.refusals).toBe(1);
    expect(st.lastRefused?.version).toBe(2);
    expect(st.lastRefused?.error).toMatch(/weights\.bin: sha256 mismatch/);
    run(s, third, 2 * third, preds);

    // v3: good — swapped between two batches
    const tensors = tf.memory().numTensors;
    await save('hs', 'predictor', 5);
    expect(await s.poll()).toBe('swapped');
    expect(s.stats()).toMatchObject({ version: 3, swaps: 1 });
    run(s, 2 * third, data.points.length, preds);

    // every complete row of every source got exactly one prediction (rows still waiting: the last ones)
    const rowsPerSource = new Map<string, Set<number>>();
    for (const p of data.points) {
      const set = rowsPerSource.get(p.source) ?? new Set<number>();
      set.add(p.ts);
      rowsPerSource.set(p.source, set);
    }
    for (const [source, set] of rowsPerSource) {
      const ts = [...set].sort((a, b) => a - b);
      const got = preds.filter((p) => p.source === source).map((p) => p.ts);
      expect(new Set(got).size).toBe(got.length);
      // graceMs 0: a row is released when the source moves on, so only its last row may still wait
      expect(got).toEqual(ts.slice(W - 1, got.length + W - 1));
      expect(got.length).toBeGreaterThanOrEqual(ts.length - W);
    }
    // after the swap: exactly what v3 gives when it sees the whole stream from the start
    const v3 = await loadModel(root, 'hs', 3);
    const ref = new PredictionStream(v3.model, { name: 'hs', version: 3, kind: 'predictor' });
    for (const p of data.points) ref.push(p);
    ref.end();
    const want = new Map(ref.drain().map((p) => [p.id, p]));
    const after = preds.filter((p) => p.model.version === 3);
    expect(after.length).toBeGreaterThan(50);
    for (const p of after) expect(p).toEqual(want.get(p.id));
    v3.model.dispose();
    // the replaced version was disposed (v3 in, v1 out: same tensor count)
    expect(tf.memory().numTensors).toBe(tensors);
    s.dispose();
  });

  it('a version of another kind is refused naming the difference; promoted.json pins the served version', async () => {
    await save('kinds', 'predictor', 3);
    const s = new ServedModel({ name: 'kinds', root, backend: 'test', graceMs: 0 });
    await s.poll();
    await save('kinds', 'autoencoder', 3);
    expect(await s.poll()).toBe('refused');
    expect(s.stats().lastRefused?.error).toMatch(/kind: the model is a autoencoder, expected a predictor/);
    expect(s.stats().version).toBe(1);
    await save('kinds', 'predictor', 6); // v3
    writeFileSync(join(root, 'kinds', 'promoted.json'), JSON.stringify({ version: 1 }));
    expect(await s.poll()).toBe('unchanged');
    writeFileSync(join(root, 'kinds', 'promoted.json'), JSON.stringify({ version: 3 }));
    expect(await s.poll()).toBe('swapped');
    expect(s.stats().version).toBe(3);
    s.dispose();
  });
});
