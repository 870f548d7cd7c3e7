/**
 * ML benchmark: `npx tsx bench/ml.ts [--json]`
 *
 * - model_inference_windows_per_sec: the autoencoder's full scoring path (batched predict, in-graph
 *   per-metric error, calibrated score and error shares) over 100,000 windows, on the chosen backend;
 * - model_train_epoch_s_100k: seconds for one training epoch of the autoencoder over 100,000 windows
 *   (the trainer's default batch size for that many windows, autoBatchSize).
 * Windows come from the seeded synthetic samples through the shared feature pipeline (20 rows × 4 metrics).
 */
import * as tf from '@tensorflow/tfjs';
import { buildAutoencoder, buildPredictor } from '../src/ml/architectures.js';
import { AutoencoderModel } from '../src/ml/autoencoder.js';
import { initBackend } from '../src/ml/backend.js';
import { buildDataset } from '../src/ml/dataset.js';
import { autoBatchSize } from '../src/ml/fit.js';
import { buildFrames } from '../src/ml/frames.js';
import type { AutoencoderMeta, PredictorMeta } from '../src/ml/meta.js';
import { PredictorModel } from '../src/ml/predictor.js';
import { generateSamples } from '../src/ml/synthetic.js';

export interface MlBenchResult {
  backend: string;
  model_inference_windows_per_sec: number;
  predictor_inference_windows_per_sec: number;
  model_train_epoch_s_100k: number;
  windows: number;
  features: number;
  batch_size: number;
}

const N = 100_000;

function tile(x: Float32Array, D: number, n: number): Float32Array {
  const have = x.length / D;
  const out = new Float32Array(n * D);
  for (let i = 0; i < n; i += have) out.set(x.subarray(0, Math.min(have, n - i) * D), i * D);
  return out;
}

function rate(fn: () => void, n: number, minMs = 1500): number {
  fn(); // warm-up
  let runs = 0;
  const t0 = performance.now();
  do {
    fn();
    runs++;
  } while (performance.now() - t0 < minMs);
  return (runs * n) / ((performance.now() - t0) / 1000);
}

export async function runMlBench(opts: { progress?: (m: string) => void } = {}): Promise<MlBenchResult> {
  const say = opts.progress ?? (() => {});
  const backend = await initBackend();
  say(`backend ${backend.name}`);
  const data = generateSamples({ seed: 1 });
  const ds = buildDataset(buildFrames(data.points), data.faults, { window: 20, horizonMs: data.horizonMs });
  const D = ds.D;
  const x = tile(ds.x, D, N);
  const common = { features: ds.schema, horizonMs: data.horizonMs } as const;

  const ae = new AutoencoderModel(buildAutoencoder(D, { hidden: 32, latent: 8 }, 1), {
    ...common,
    kind: 'autoencoder',
    anomaly: { center: -2, scale: 0.5, threshold: 0.3 },
  } as AutoencoderMeta);
  say(`autoencoder inference, ${N.toLocaleString('en-US')} windows × ${D} features per call`);
  const aeRate = rate(() => ae.predict(x, N), N);

  const pr = new PredictorModel(buildPredictor(D, 3, { hidden: [32, 16] }, 1), {
    ...common,
    kind: 'predictor',
    classes: ['node_failure', 'performance_degradation', 'resource_exhaustion'],
    calibration: [
      { a: 1, b: 0 },
      { a: 1, b: 0 },
      { a: 1, b: 0 },
    ],
    threshold: 0.5,
  } as PredictorMeta);
  say('predictor inference');
  const prRate = rate(() => pr.predict(x, N), N);
  pr.dispose();

  const batchSize = autoBatchSize(N);
  say(`one training epoch over ${N.toLocaleString('en-US')} windows, batch ${batchSize}`);
  const net = ae.net;
  net.compile({ optimizer: tf.train.adam(0.003), loss: 'meanSquaredError' });
  const xt = tf.tensor2d(x, [N, D]);
  await net.fit(xt.slice(0, 5000), xt.slice(0, 5000), { epochs: 1, batchSize, shuffle: false, verbose: 0 }); // warm-up
  const t0 = performance.now();
  await net.fit(xt, xt, { epochs: 1, batchSize, shuffle: false, verbose: 0 });
  const epochS = (performance.now() - t0) / 1000;
  xt.dispose();
  ae.dispose();
  return {
    backend: backend.name,
    model_inference_windows_per_sec: aeRate,
    predictor_inference_windows_per_sec: prRate,
    model_train_epoch_s_100k: epochS,
    windows: N,
    features: D,
    batch_size: batchSize,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const json = process.argv.includes('--json');
  const r = await runMlBench({ progress: (m) => process.stderr.write(`[bench:ml] ${m}\n`) });
  if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else {
    const num = (n: number) => Math.round(n).toLocaleString('en-US');
    process.stdout.write(
      `backend ${r.backend}\n` +
        `autoencoder inference  ${num(r.model_inference_windows_per_sec)} windows/s  (target ≥ 500,000 on wasm)\n` +
        `predictor inference    ${num(r.predictor_inference_windows_per_sec)} windows/s\n` +
        `training epoch, 100k   ${r.model_train_epoch_s_100k.toFixed(2)} s  (batch ${r.batch_size}; target ≤ 3 s)\n`,
    );
  }
}
