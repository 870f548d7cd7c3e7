import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { modelToFiles } from '../../../src/ml/artifacts.js';
import { initBackend } from '../../../src/ml/backend.js';
import { gatherRows } from '../../../src/ml/dataset.js';
import { ModelIntegrityError, ModelNotFoundError, ModelSchemaError } from '../../../src/ml/errors.js';
import { LiveModel } from '../../../src/ml/live.js';
import { wrapModel } from '../../../src/ml/model.js';
import { listModels, loadModel, saveModel, sha256 } from '../../../src/ml/registry.js';
import { smallData, tempDir, untrainedModel } from './helpers.js';

const root = tempDir();
const { ds } = smallData();
const n = Math.min(50, ds.n);
const x = gatherRows(
  ds.x,
  ds.D,
  Int32Array.from({ length: n }, (_, i) => i),
);

beforeAll(async () => {
  await initBackend();
});

async function save(kind: 'autoencoder' | 'predictor', name: string, seed = 3) {
  const { net, draft } = untrainedModel(kind, ds, seed);
  const files = await modelToFiles(net);
  const saved = await saveModel(root, name, files, draft);
  return { saved, net, draft };
}

describe('model registry', () => {
  it.each(['predictor', 'autoencoder'] as const)('%s: save → load gives identical predictions', async (kind) => {
    const { saved, net } = await save(kind, `same-${kind}`);
    expect(saved.version).toBe(1);
    const before = wrapModel(net, saved.meta);
    const loaded = await loadModel(root, `same-${kind}`);
    expect(loaded.version).toBe(1);
    const a = before.predict(x, n);
    const b = loaded.model.predict(x, n);
    expect(b).toEqual(a);
    before.dispose();
    loaded.model.dispose();
  });

  it('records sha256 of every file and the schema; versions count up; listModels sees them', async () => {
    const first = await save('predictor', 'versions');
    const second = await save('predictor', 'versions', 4);
    expect(second.saved.version).toBe(2);
    const meta = JSON.parse(readFileSync(join(second.saved.dir, 'meta.json'), 'utf8'));
    expect(meta.files['weights.bin']).toBe(sha256(readFileSync(join(second.saved.dir, 'weights.bin'))));
    expect(meta.files['model.json']).toBe(sha256(readFileSync(join(second.saved.dir, 'model.json'))));
    expect(meta.features.metrics).toEqual(ds.schema.metrics);
    expect(meta.features.scaler).toEqual(ds.schema.scaler);
    expect((await listModels(root)).find((m) => m.name === 'versions')).toEqual({
      name: 'versions',
      versions: [1, 2],
      latest: 2,
    });
    first.net.dispose();
    second.net.dispose();
  });

  it('corrupted weights are refused naming the file and the mismatch; the live model stays', async () => {
    const { net } = await save('predictor', 'corrupt');
    net.dispose();
    const live = new LiveModel(root);
    const v1 = await live.load('corrupt');
    const expected = v1.model.predict(x, n);
    const v2 = await save('predictor', 'corrupt', 9);
    v2.net.dispose();
    const weights = join(v2.saved.dir, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[10] = (bytes[10] as number) ^ 0xff;
    writeFileSync(weights, bytes);
    const err = await live.load('corrupt').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelIntegrityError);
    expect((err as Error).message).toMatch(
      /weights\.bin: sha256 mismatch: meta\.json records [0-9a-f]{64}, the file has/,
    );
    expect((err as ModelIntegrityError).retriable).toBe(false);
    expect(live.get()?.version).toBe(1);
    expect(live.generation).toBe(1);
    expect(live.get()?.model.predict(x, n)).toEqual(expected);
    live.dispose();
  });

  it('a feature-schema mismatch is refused naming the difference', async () => {
    const { net } = await save('autoencoder', 'schema');
    net.dispose();
    const metrics = ds.schema.metrics;
    const wanted = [...metrics.slice(1), 'disk_io'];
    const err = (await loadModel(root, 'schema', 'latest', { metrics: wanted }).catch(
      (e: unknown) => e,
    )) as ModelSchemaError;
    expect(err).toBeInstanceOf(ModelSchemaError);
    expect(err.message).toContain(`the model needs [${metrics[0]}] which the data lacks`);
    expect(err.message).toContain('the data has [disk_io] which the model does not know');
    await expect(loadModel(root, 'schema', 1, { kind: 'predictor' })).rejects.toThrow(
      /kind: the model is a autoencoder, expected a predictor/,
    );
  });

  it('a meta whose schema disagrees with the network is refused (checksums re-recorded, so only the schema is wrong)', async () => {
    const { saved, net } = await save('predictor', 'window');
    net.dispose();
    const file = join(saved.dir, 'meta.json');
    const meta = JSON.parse(readFileSync(file, 'utf8'));
    meta.features.window += 2;
    writeFileSync(file, JSON.stringify(meta));
    const err = (await loadModel(root, 'window').catch((e: unknown) => e)) as ModelSchemaError;
    expect(err).toBeInstanceOf(ModelSchemaError);
    const M = ds.schema.metrics.length;
    expect(err.differences[0]).toBe(
      `input size: the network takes ${ds.D} features, the feature schema gives ${ds.D + 2 * M} (window ${ds.schema.window + 2} × ${M} metrics + ${M} missing-value masks)`,
    );
    meta.features.version = 99;
    writeFileSync(file, JSON.stringify(meta));
    await expect(loadModel(root, 'window')).rejects.toThrow(
      /feature pipeline version: the model was made by version 99/,
    );
  });

  it('unknown models and bad names are ModelNotFoundError; a broken meta.json is an integrity error', async () => {
    await expect(loadModel(root, 'nope')).rejects.toBeInstanceOf(ModelNotFoundError);
    await expect(loadModel(root, '../etc')).rejects.toBeInstanceOf(ModelNotFoundError);
    const { saved, net } = await save('predictor', 'broken-meta');
    net.dispose();
    writeFileSync(join(saved.dir, 'meta.json'), '{"format":1');
    await expect(loadModel(root, 'broken-meta')).rejects.toThrow(/meta\.json: invalid JSON/);
  });
});
