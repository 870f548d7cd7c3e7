import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/ml/backend.js';
import { loadModel } from '../../../src/ml/registry.js';
import { PredictionStream } from '../../../src/ml/serve.js';
import { generateSamples, SYNTHETIC_METRICS } from '../../../src/ml/synthetic.js';
import { projectRoot } from '../../../src/sim/project-root.js';

beforeAll(async () => {
  await initBackend();
});

describe('the shipped default model (models/default-predictor)', () => {
  it('loads (checksums, schema) and warns before faults of fresh generated data', async () => {
    const loaded = await loadModel(join(projectRoot(), 'models'), 'default-predictor', 'latest', {
      kind: 'predictor',
      metrics: SYNTHETIC_METRICS,
    });
    expect(loaded.meta.evaluation.f1).toBeGreaterThanOrEqual(0.9);
    const data = generateSamples({ seed: 99, sources: 1, steps: 600 });
    const stream = new PredictionStream(loaded.model, {
      name: 'default-predictor',
      version: loaded.version,
      kind: 'predictor',
    });
    for (const p of data.points) stream.push(p);
    stream.end();
    const preds = stream.drain();
    let warned = 0;
    for (const f of data.faults) {
      const before = preds.filter((p) => p.ts >= f.start - data.horizonMs && p.ts < f.start);
      const p = Math.max(...before.map((x) => x.faults.find((q) => q.type === f.type)?.p ?? 0));
      if (p >= 0.5) warned++;
    }
    expect(warned / data.faults.length).toBeGreaterThanOrEqual(0.8);
    loaded.model.dispose();
  });
});
