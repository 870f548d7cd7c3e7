import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/ml/backend.js';
import { loadModel } from '../../../src/ml/registry.js';
import { generateSamples, writeSamples } from '../../../src/ml/synthetic.js';
import { startTraining, TrainError, type TrainProgress, trainInWorker } from '../../../src/ml/train.js';
import { tempDir } from './helpers.js';

const dir = tempDir();
const models = join(dir, 'models');
let files: { metrics: string; faults: string };

beforeAll(async () => {
  files = await writeSamples(join(dir, 'data'), generateSamples({ seed: 2, sources: 2, steps: 400, meanGap: 60 }));
});

describe('training in a worker thread', () => {
  it('trains from files, reports progress, saves to the registry; the main thread stays free', {
    timeout: 120_000,
  }, async () => {
    const progress: TrainProgress[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const result = await trainInWorker(
      {
        kind: 'predictor',
        name: 'from-files',
        samples: { file: files.metrics },
        faults: files.faults,
        horizonMs: 15 * 60_000,
        window: 10,
        epochs: 3,
        batchSize: 128,
        modelsDir: models,
      },
      (p) => progress.push(p),
    ).finally(() => clearInterval(timer));
    expect(result.version).toBe(1);
    expect(result.training.samples).toBe(files.metrics);
    expect(result.training.epochs).toBeLessThanOrEqual(3);
    expect(existsSync(join(models, 'from-files', '1', 'weights.bin'))).toBe(true);
    expect(progress.filter((p) => p.type === 'epoch').map((p) => p.type === 'epoch' && p.epoch)).toEqual(
      Array.from({ length: result.training.epochs }, (_, i) => i + 1),
    );
    expect(progress.some((p) => p.type === 'stage' && p.stage === 'saving')).toBe(true);
    expect(ticks).toBeGreaterThan(0);
    await initBackend();
    const loaded = await loadModel(models, 'from-files', 1, {
      kind: 'predictor',
      metrics: ['cpu', 'mem', 'latency_ms', 'error_rate'],
    });
    expect(loaded.meta.evaluation).toEqual(result.evaluation);
    loaded.model.dispose();
  });

  it('a predictor without fault samples fails with the typed error from the worker', { timeout: 60_000 }, async () => {
    const err = await trainInWorker({ kind: 'predictor', samples: { file: files.metrics }, modelsDir: models }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TrainError);
    expect((err as TrainError).name).toBe('TrainDataError');
    expect((err as TrainError).message).toMatch(/needs fault samples/);
  });

  it('a bad samples file keeps its IngestError name (the CLI exits 2) ; cancel rejects', {
    timeout: 60_000,
  }, async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'timestamp,cpu\n2024-01-01T00:00:00Z,abc\n');
    const err = (await trainInWorker({ kind: 'autoencoder', samples: { file: bad }, modelsDir: models }).catch(
      (e: unknown) => e,
    )) as TrainError;
    expect(err.name).toBe('IngestError');
    expect(err.message).toContain('bad.csv:2: cpu: expected a number');
    const job = startTraining({ kind: 'autoencoder', samples: { synthetic: { seed: 1 } }, save: false });
    await job.cancel();
    await expect(job.result).rejects.toThrow(/cancelled/);
  });

  it('an invalid request is refused before a thread starts', () => {
    expect(() => startTraining({ kind: 'predictor', samples: { synthetic: { seed: 1 } }, window: 1 })).toThrow(
      /window/,
    );
  });
});
