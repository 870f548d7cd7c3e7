/**
 * Serving benchmark: `npx tsx bench/predict.ts [--json]`
 *
 * ml_inference_windows_per_sec: windows (rows with a full window) predicted per second through the
 * predict worker's serving path, in process, one core — RowAssembler → PredictionStream (the shared
 * feature pipeline) → batched inference → Prediction objects — for the shipped default predictor, in
 * batches of 2,000 points (about what one consumed Kafka batch carries). forecaster_windows_per_sec:
 * the same for a forecaster (15 steps × 4 metrics, with band and time to breach in each prediction).
 */

import { initBackend } from '../src/ml/backend.js';
import { buildDataset } from '../src/ml/dataset.js';
import { buildForecaster } from '../src/ml/forecast.js';
import { buildFrames } from '../src/ml/frames.js';
import type { ModelMeta } from '../src/ml/meta.js';
import { wrapModel } from '../src/ml/model.js';
import { loadModel } from '../src/ml/registry.js';
import { generateSamples } from '../src/ml/synthetic.js';
import { ServedModel } from '../src/predict/served.js';

export interface PredictBenchResult {
  backend: string;
  ml_inference_windows_per_sec: number;
  forecaster_windows_per_sec: number;
}

function rate(served: ServedModel, points: ReturnType<typeof generateSamples>['points']): number {
  const batch = 2000;
  let windows = 0;
  const t0 = performance.now();
  for (let i = 0; i < points.length; i += batch) {
    for (let j = i; j < Math.min(points.length, i + batch); j++) served.ingest(points[j] as (typeof points)[number]);
    windows += served.predict().length;
  }
  return windows / ((performance.now() - t0) / 1000);
}

export async function runPredictBench(opts: { progress?: (m: string) => void } = {}): Promise<PredictBenchResult> {
  const say = opts.progress ?? (() => {});
  const backend = await initBackend();
  const data = generateSamples({ seed: 2, sources: 40, steps: 1000 });
  const shift = (k: number) => data.points.map((p) => ({ ...p, ts: p.ts + k * 1000 * data.stepMs }));

  const pred = new ServedModel({ name: 'default-predictor', root: 'models', backend: backend.name, graceMs: 0 });
  await pred.poll();
  rate(pred, shift(0)); // warm-up
  say('default predictor: 40 sources × 1,000 rows × 4 metrics');
  const predictor = rate(pred, shift(1));
  pred.dispose();

  const ds = buildDataset(buildFrames(data.points.slice(0, 20_000)), [], { window: 20, horizonMs: 900_000 });
  const M = ds.schema.metrics.length;
  const S = 15;
  const ref = await loadModel('models', 'default-predictor');
  const meta = {
    ...ref.meta,
    kind: 'forecaster',
    features: ds.schema,
    forecast: { steps: S, stride: 1, band: 0.8, z: Math.log(5), sigmaScale: new Array(S * M).fill(1) },
    limits: { mem: { above: 90 } },
  } as unknown as ModelMeta;
  ref.model.dispose();
  const fc = new ServedModel({ name: 'fc', root: 'models', backend: backend.name, graceMs: 0 });
  fc.swap({
    name: 'fc',
    version: 1,
    dir: '',
    meta,
    model: wrapModel(buildForecaster(ds.D, S, M, 32, 1), meta),
  });
  rate(fc, shift(0));
  say('forecaster (untrained weights, same cost): 40 sources × 1,000 rows');
  const forecaster = rate(fc, shift(1));
  fc.dispose();
  return {
    backend: backend.name,
    ml_inference_windows_per_sec: Math.round(predictor),
    forecaster_windows_per_sec: Math.round(forecaster),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await runPredictBench({ progress: (m) => process.stderr.write(`[predict] ${m}\n`) });
  console.log(process.argv.includes('--json') ? JSON.stringify(r) : r);
}
