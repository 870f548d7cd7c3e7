import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll } from 'vitest';
import { buildAutoencoder, buildPredictor } from '../../../src/ml/architectures.js';
import { buildDataset, type Dataset } from '../../../src/ml/dataset.js';
import type { EvalReport } from '../../../src/ml/evaluate.js';
import { buildFrames } from '../../../src/ml/frames.js';
import type { TrainingInfo } from '../../../src/ml/meta.js';
import type { MetaDraft } from '../../../src/ml/registry.js';
import { generateSamples, type SyntheticData } from '../../../src/ml/synthetic.js';

/** A temp folder for this test file, removed after it. */
export function tempDir(prefix = 'faultline-ml-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Small seeded samples (2 sources × 300 rows) and their dataset. */
export function smallData(seed = 5): { data: SyntheticData; ds: Dataset } {
  const data = generateSamples({ seed, sources: 2, steps: 300, meanGap: 60 });
  const ds = buildDataset(buildFrames(data.points), data.faults, { window: 8, horizonMs: data.horizonMs });
  return { data, ds };
}

const fakeEval: EvalReport = {
  threshold: 0.5,
  windows: 0,
  positives: 0,
  precision: 0,
  recall: 0,
  f1: 0,
  prAuc: 0,
  events: {
    faults: 0,
    detected: 0,
    alarms: 0,
    falseAlarms: 0,
    precision: 0,
    recall: 0,
    f1: 0,
    meanLeadTimeMs: null,
    falseAlarmsPerDay: 0,
  },
  days: 0,
};

function fakeTraining(ds: Dataset): TrainingInfo {
  return {
    samples: 'test',
    faults: null,
    sources: ds.sources,
    from: ds.bounds.from,
    to: ds.bounds.to,
    trainEnd: ds.bounds.trainEnd,
    valEnd: ds.bounds.valEnd,
    windows: { train: 0, val: 0, test: 0 },
    seed: 1,
    epochs: 0,
    bestEpoch: 0,
    stoppedEarly: false,
    history: [],
    seconds: 0,
  };
}

/** An untrained (seeded init) network of each kind with a matching meta draft: enough for registry/serving tests. */
export function untrainedModel(
  kind: 'autoencoder' | 'predictor',
  ds: Dataset,
  seed = 3,
): { net: tf.Sequential; draft: MetaDraft } {
  const common = {
    format: 1 as const,
    createdAt: new Date(0).toISOString(),
    backend: 'test',
    tfjs: 'test',
    features: ds.schema,
    horizonMs: 900_000,
    training: fakeTraining(ds),
    evaluation: fakeEval,
  };
  if (kind === 'autoencoder') {
    return {
      net: buildAutoencoder(ds.D, { hidden: 8, latent: 3 }, seed),
      draft: { ...common, kind, anomaly: { center: -1, scale: 0.5, threshold: 0.3 } },
    };
  }
  return {
    net: buildPredictor(ds.D, ds.classes.length, { hidden: [8] }, seed),
    draft: {
      ...common,
      kind,
      classes: ds.classes,
      calibration: ds.classes.map(() => ({ a: 1, b: 0 })),
      threshold: 0.5,
    },
  };
}
