import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Prediction } from '../../../src/contracts/prediction.js';
import { initBackend } from '../../../src/ml/backend.js';
import { breachesAt, columnLimits, laplaceCdf } from '../../../src/ml/breach.js';
import type { ForecasterModel, ForecasterOutput } from '../../../src/ml/forecast.js';
import { forecastSteps } from '../../../src/ml/forecast-train.js';
import { buildFrames } from '../../../src/ml/frames.js';
import { loadModel } from '../../../src/ml/registry.js';
import { PredictionStream } from '../../../src/ml/serve.js';
import { generateSamples } from '../../../src/ml/synthetic.js';
import { runTraining } from '../../../src/ml/train-run.js';
import { tempDir } from './helpers.js';

const root = tempDir('faultline-forecast-');

beforeAll(async () => {
  await initBackend();
});

/** one window, S steps × M metrics, sigma the same everywhere */
function output(S: number, M: number, mean: number[], last: number[], sigma = 1): ForecasterOutput {
  return {
    kind: 'forecaster',
    n: 1,
    S,
    M,
    mean: Float32Array.from(mean),
    sigma: new Float32Array(S * M).fill(sigma),
    last: Float32Array.from(last),
  };
}

describe('time to breach', () => {
  const cols = columnLimits(['cpu', 'mem'], { mem: { above: 90 }, cpu: { below: 5 } });

  it('a rising metric: the first step whose expected value crosses the limit, with p over the horizon', () => {
    // steps × [cpu, mem]; mem 80, 85, 91, 95
    const out = output(4, 2, [50, 80, 50, 85, 50, 91, 50, 95], [50, 78]);
    const [cpu, mem] = breachesAt(out, 0, cols, 60_000, 1_000_000);
    expect(mem).toMatchObject({ metric: 'mem', direction: 'above', limit: 90, inMs: 180_000, at: 1_180_000 });
    expect(mem?.p).toBeCloseTo(1 - 0.5 * Math.exp(-5), 5);
    expect(cpu).toMatchObject({ metric: 'cpu', direction: 'below', inMs: null, at: null });
    expect(cpu?.p).toBeLessThan(1e-10);
  });

  it('already beyond the limit: in 0 ms with p 1; never reaching it: null with a small p', () => {
    expect(breachesAt(output(2, 2, [50, 95, 50, 96], [50, 93]), 0, cols, 60_000, 0)[1]).toMatchObject({
      inMs: 0,
      p: 1,
    });
    const far = breachesAt(output(2, 2, [50, 60, 50, 61], [50, 60], 2), 0, cols, 60_000, 0)[1];
    expect(far?.inMs).toBeNull();
    expect(far?.p).toBeCloseTo(0.5 * Math.exp(-29 / 2), 8);
  });

  it('Laplace CDF: symmetric, 0.5 at 0', () => {
    expect(laplaceCdf(0)).toBe(0.5);
    expect(laplaceCdf(1.3) + laplaceCdf(-1.3)).toBeCloseTo(1, 12);
  });

  it('forecast steps: one row per step up to 32, then a stride', () => {
    expect(forecastSteps(15 * 60_000, 60_000)).toEqual({ S: 15, stride: 1 });
    expect(forecastSteps(2 * 3_600_000, 60_000)).toEqual({ S: 30, stride: 4 });
  });
});

describe('forecaster: train, evaluate, save, load, serve', () => {
  const data = generateSamples({ seed: 7, sources: 3, steps: 1500 });

  it('learns to beat "the last value stays", its band covers about its nominal share, it is registered and serves predictions with a band and time to breach', async () => {
    const { result, model } = await runTraining({
      kind: 'forecaster',
      samples: { synthetic: { seed: 7, sources: 3, steps: 1500 } },
      window: 12,
      epochs: 30,
      seed: 3,
      modelsDir: root,
      name: 'fc',
    });
    model.dispose();
    expect(result.kind).toBe('forecaster');
    expect(result.version).toBe(1);
    const f = result.forecast;
    expect(f).toBeDefined();
    if (!f) return;
    expect(f.targets).toBeGreaterThan(1000);
    expect(f.scaledMae).toBeLessThan(f.scaledMaePersistence);
    expect(f.coverage).toBeGreaterThan(0.65);
    expect(f.coverage).toBeLessThan(0.92);
    expect(result.evaluation.events.faults).toBeGreaterThan(0); // breach episodes in the held-out tail

    const loaded = await loadModel(root, 'fc');
    expect(loaded.meta.kind).toBe('forecaster');
    const fm = loaded.model as ForecasterModel;
    const before = tf.memory().numTensors;
    const stream = new PredictionStream(
      fm,
      { name: 'fc', version: 1, kind: 'forecaster' },
      { limits: { mem: { above: 90 } } },
    );
    const frames = buildFrames(data.points);
    for (const p of data.points) stream.push(p);
    stream.end();
    const preds = stream.drain();
    expect(tf.memory().numTensors).toBe(before);
    expect(preds.length).toBe(frames.frames.reduce((a, fr) => a + fr.ts.length - 11, 0));
    const S = loaded.meta.kind === 'forecaster' ? loaded.meta.forecast.steps : 0;
    for (const p of preds.slice(0, 50)) {
      expect(Prediction.parse(p)).toEqual(p);
      expect(p.forecast?.metrics.map((m) => m.metric)).toEqual(['cpu', 'error_rate', 'latency_ms', 'mem']);
      for (const m of p.forecast?.metrics ?? []) {
        expect(m.expected).toHaveLength(S);
        m.expected.forEach((e, j) => {
          expect(m.lower[j]).toBeLessThanOrEqual(e);
          expect(m.upper[j]).toBeGreaterThanOrEqual(e);
        });
      }
      // the configured mem limit overrides the model's own; the other metrics keep the model's
      expect(p.breaches?.find((b) => b.metric === 'mem')?.limit).toBe(90);
      expect(p.breaches?.length).toBe(4);
    }
    fm.dispose();
  }, 120_000);
});
