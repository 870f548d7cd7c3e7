import * as tf from '@tensorflow/tfjs';
import { modelToFiles } from './artifacts.js';
import type { BackendChoice } from './backend.js';
import { autoLimits, BREACH_TYPE, breachEpisodes, breachScore, columnLimits } from './breach.js';
import { buildDataset, type Dataset, gatherRows, SPLIT, splitIndex } from './dataset.js';
import { TrainDataError } from './errors.js';
import { evaluate } from './evaluate.js';
import { faultsBySource } from './faults.js';
import { autoBatchSize, fitWithEarlyStopping } from './fit.js';
import { buildForecaster, decodeScaled, ForecasterModel, forecastRaw, laplaceNll } from './forecast.js';
import type { ForecastEval, ForecastSpec, MetricError } from './forecast-schema.js';
import type { Frames } from './frames.js';
import { faultLabels } from './labels.js';
import type { ForecasterMeta, TrainingInfo } from './meta.js';
import { type MetaDraft, saveModel } from './registry.js';
import type { TrainRequest } from './request.js';
import type { TrainProgress, TrainResult, TrainStage } from './train-run.js';

/** Most forecast steps a model outputs; longer horizons use a stride of several rows per step. */
export const MAX_FORECAST_STEPS = 32;
/** Nominal coverage of the forecast band, and its Laplace half-width in scales: ln(1 / (1 − band)). */
export const BAND = 0.8;
export const BAND_Z = Math.log(1 / (1 - BAND));
/** Scaled targets are clipped to ± this (a wild outlier must not dominate the likelihood). */
const TARGET_CLIP = 50;

export interface ForecastTargets {
  S: number;
  stride: number;
  /** n × 2SM: [target − last (scaled) | mask] */
  y: Float32Array;
  /** windows with at least one observed target */
  has: Uint8Array;
}

/** Forecast steps and rows per step for a horizon (ms) at the data's row spacing. */
export function forecastSteps(horizonMs: number, stepMs: number): { S: number; stride: number } {
  const H = Math.max(1, Math.round(horizonMs / stepMs));
  const stride = Math.ceil(H / MAX_FORECAST_STEPS);
  return { S: Math.max(1, Math.floor(H / stride)), stride };
}

/**
 * Targets of every window of the dataset: the scaled value `j × stride` rows after its last row,
 * minus its last scaled value. Missing values, rows past the data and rows off the regular time grid
 * (|Δt − j·stride·stepMs| > stepMs/2) are masked out.
 */
export function forecastTargets(ds: Dataset, frames: Frames, S: number, stride: number): ForecastTargets {
  const { schema, D } = ds;
  const M = schema.metrics.length;
  const W = schema.window;
  const SM = S * M;
  const y = new Float32Array(ds.n * 2 * SM);
  const has = new Uint8Array(ds.n);
  const { center, scale } = schema.scaler;
  let k = 0;
  for (const f of frames.frames) {
    const rows = f.ts.length;
    const windows = Math.max(0, rows - W + 1);
    for (let w = 0; w < windows; w++, k++) {
      const r = w + W - 1;
      const base = k * 2 * SM;
      for (let j = 0; j < S; j++) {
        const rr = r + (j + 1) * stride;
        if (rr >= rows) break;
        const dt = (f.ts[rr] as number) - (f.ts[r] as number);
        if (Math.abs(dt - (j + 1) * stride * schema.stepMs) > schema.stepMs / 2) continue;
        for (let m = 0; m < M; m++) {
          const v = f.values[rr * M + m] as number;
          if (Number.isNaN(v)) continue;
          let s = (v - (center[m] as number)) / (scale[m] as number);
          if (s > TARGET_CLIP) s = TARGET_CLIP;
          else if (s < -TARGET_CLIP) s = -TARGET_CLIP;
          const last = ds.x[k * D + (W - 1) * M + m] as number;
          y[base + j * M + m] = s - last;
          y[base + SM + j * M + m] = 1;
          has[k] = 1;
        }
      }
    }
  }
  if (k !== ds.n) throw new Error(`forecast targets: ${k} windows, the dataset has ${ds.n}`);
  return { S, stride, y, has };
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

/** Per (step, metric): the sigma factor that makes the validation band cover BAND of the values. */
export function fitSigmaScale(
  mu: Float32Array,
  sd: Float32Array,
  y: Float32Array,
  idx: Int32Array,
  x: Float32Array,
  ds: Dataset,
  SM: number,
): number[] {
  const M = ds.schema.metrics.length;
  const W = ds.schema.window;
  const out: number[] = [];
  for (let q = 0; q < SM; q++) {
    const zs: number[] = [];
    idx.forEach((i, j) => {
      if ((y[i * 2 * SM + SM + q] as number) === 0) return;
      const actual = (y[i * 2 * SM + q] as number) + (x[j * ds.D + (W - 1) * M + (q % M)] as number);
      zs.push(Math.abs(actual - (mu[j * SM + q] as number)) / (sd[j * SM + q] as number));
    });
    const k = zs.length >= 20 ? quantile(zs, BAND) / BAND_Z : 1;
    out.push(Number.isFinite(k) ? Math.min(20, Math.max(0.05, k)) : 1);
  }
  return out;
}

export interface ForecastTrainContext {
  frames: Frames;
  samples: string;
  horizonMs: number;
  backend: BackendChoice;
  started: number;
  onProgress: (p: TrainProgress) => void;
  shouldStop?: () => boolean;
}

/** MAE / band coverage of the forecasts of `idx` windows (the model output `out` is row j for idx[j]). */
function forecastEval(
  model: ForecasterModel,
  ds: Dataset,
  t: ForecastTargets,
  idx: Int32Array,
  x: Float32Array,
): ForecastEval {
  const M = ds.schema.metrics.length;
  const W = ds.schema.window;
  const SM = t.S * M;
  const { center, scale } = ds.schema.scaler;
  const out = model.predict(x, idx.length);
  const z = model.meta.forecast.z;
  const acc = ds.schema.metrics.map(() => ({ n: 0, abs: 0, pers: 0, inBand: 0, n0: 0, abs0: 0, nH: 0, absH: 0 }));
  idx.forEach((i, j) => {
    for (let q = 0; q < SM; q++) {
      if ((t.y[i * 2 * SM + SM + q] as number) === 0) continue;
      const m = q % M;
      const step = Math.floor(q / M);
      const lastScaled = x[j * ds.D + (W - 1) * M + m] as number;
      const actual = (center[m] as number) + (scale[m] as number) * ((t.y[i * 2 * SM + q] as number) + lastScaled);
      const e = Math.abs(actual - (out.mean[j * SM + q] as number));
      const a = acc[m] as (typeof acc)[number];
      a.n++;
      a.abs += e;
      a.pers += Math.abs(actual - (out.last[j * M + m] as number));
      if (e <= z * (out.sigma[j * SM + q] as number)) a.inBand++;
      if (step === 0) {
        a.n0++;
        a.abs0 += e;
      }
      if (step === t.S - 1) {
        a.nH++;
        a.absH += e;
      }
    }
  });
  const metrics: Record<string, MetricError> = {};
  let targets = 0;
  let inBand = 0;
  let scaled = 0;
  let scaledP = 0;
  let used = 0;
  const r = (v: number) => Number(v.toPrecision(6));
  ds.schema.metrics.forEach((metric, m) => {
    const a = acc[m] as (typeof acc)[number];
    targets += a.n;
    inBand += a.inBand;
    if (a.n === 0) return;
    const mae = a.abs / a.n;
    metrics[metric] = {
      next: r(a.n0 > 0 ? a.abs0 / a.n0 : 0),
      horizon: r(a.nH > 0 ? a.absH / a.nH : 0),
      mean: r(mae),
      persistence: r(a.pers / a.n),
      coverage: r(a.inBand / a.n),
    };
    scaled += mae / (scale[m] as number);
    scaledP += a.pers / a.n / (scale[m] as number);
    used++;
  });
  return {
    targets,
    band: BAND,
    coverage: targets > 0 ? r(inBand / targets) : 0,
    scaledMae: used > 0 ? r(scaled / used) : 0,
    scaledMaePersistence: used > 0 ? r(scaledP / used) : 0,
    metrics,
  };
}

/**
 * Train a forecaster (called by runTraining for kind "forecaster"): the shared feature pipeline and
 * leak-free time split (purged by the forecast horizon), Laplace likelihood with early stopping,
 * band calibration on the validation split, then on the held-out tail: MAE and band coverage per
 * metric, and breach warnings (time to breach of the limits: given, or automatic) evaluated like
 * fault predictions — precision, recall, lead time, false alarms per day.
 */
export async function trainForecaster(
  req: TrainRequest,
  c: ForecastTrainContext,
): Promise<{ result: TrainResult; model: ForecasterModel }> {
  const stage = (s: TrainStage, message: string) => c.onProgress({ type: 'stage', stage: s, message });
  const probe = buildDataset(c.frames, [], { window: req.window, horizonMs: c.horizonMs, fractions: req.fractions });
  const stepMs = probe.schema.stepMs;
  const { S, stride } = forecastSteps(c.horizonMs, stepMs);
  const horizonMs = S * stride * stepMs;
  const ds =
    horizonMs === c.horizonMs
      ? probe
      : buildDataset(c.frames, [], { window: req.window, horizonMs, fractions: req.fractions });
  const M = ds.schema.metrics.length;
  const SM = S * M;
  const t = forecastTargets(ds, c.frames, S, stride);
  const limits = req.limits ?? autoLimits(ds.schema);
  const cols = columnLimits(ds.schema.metrics, limits);
  const episodes = faultsBySource(breachEpisodes(c.frames.frames, M, cols));
  const labels = faultLabels(ds, episodes, [BREACH_TYPE], horizonMs);
  const withTargets = (i: number) => t.has[i] === 1;
  const trainIdx = splitIndex(ds, SPLIT.train, withTargets);
  const valIdx = splitIndex(ds, SPLIT.val, withTargets);
  const testIdx = splitIndex(ds, SPLIT.test, withTargets);
  const testBreachIdx = splitIndex(ds, SPLIT.test, (i) => labels.ongoing[i] === 0);
  stage(
    'features',
    `${ds.n} windows of ${ds.schema.window} rows × ${M} metrics [${ds.schema.metrics.join(', ')}] from ${ds.sources.length} sources; forecasting ${S} steps of ${stride} row(s) (${horizonMs / 60_000} min); train ${trainIdx.length}, validation ${valIdx.length}, test ${testIdx.length}`,
  );
  const batchSize = req.batchSize ?? autoBatchSize(trainIdx.length);
  const need = (what: string, idx: Int32Array, min: number) => {
    if (idx.length < min)
      throw new TrainDataError(
        `${what}: ${idx.length} windows, need at least ${min} — more history (or a smaller --window / --horizon) is needed`,
      );
  };
  need('training split', trainIdx, Math.max(10, Math.min(batchSize, 32)));
  need('validation split', valIdx, 5);
  need('test split', testIdx, 5);

  const net = buildForecaster(ds.D, S, M, 32, req.seed);
  net.compile({ optimizer: tf.train.adam(req.learningRate), loss: laplaceNll(SM) });
  let model: ForecasterModel | null = null;
  try {
    const tensors = (idx: Int32Array): [tf.Tensor2D, tf.Tensor2D] => [
      tf.tensor2d(gatherRows(ds.x, ds.D, idx), [idx.length, ds.D]),
      tf.tensor2d(gatherRows(t.y, 2 * SM, idx), [idx.length, 2 * SM]),
    ];
    const [xTr, yTr] = tensors(trainIdx);
    const [xVa, yVa] = tensors(valIdx);
    stage(
      'training',
      `forecaster: up to ${req.epochs} epochs, batch ${batchSize}, early stopping after ${req.patience}`,
    );
    let fit: Awaited<ReturnType<typeof fitWithEarlyStopping>>;
    try {
      fit = await fitWithEarlyStopping(net, xTr, yTr, [xVa, yVa], {
        epochs: req.epochs,
        batchSize,
        patience: req.patience,
        seed: req.seed,
        onEpoch: (p) => c.onProgress({ type: 'epoch', ...p }),
        shouldStop: c.shouldStop,
      });
    } finally {
      tf.dispose([xTr, yTr, xVa, yVa]);
    }

    stage('calibrating', `calibrating the ${Math.round(BAND * 100)} % band on the validation split`);
    const valX = gatherRows(ds.x, ds.D, valIdx);
    const raw = forecastRaw(net, valX, valIdx.length, ds.D, SM);
    const { mu, sd } = decodeScaled(raw, valX, valIdx.length, ds.D, ds.schema.window, S, M);
    const forecast: ForecastSpec = {
      steps: S,
      stride,
      band: BAND,
      z: BAND_Z,
      sigmaScale: fitSigmaScale(mu, sd, t.y, valIdx, valX, ds, SM),
    };
    const partial = {
      format: 1 as const,
      createdAt: new Date().toISOString(),
      backend: c.backend.name,
      tfjs: tf.version.tfjs,
      features: ds.schema,
      horizonMs,
    };
    const name = req.name ?? req.kind;
    const threshold = req.threshold ?? 0.5;
    const provisional = {
      ...partial,
      kind: 'forecaster' as const,
      forecast,
      limits,
      name,
      version: 1,
      files: {},
    };
    model = new ForecasterModel(net, provisional as unknown as ForecasterMeta);

    stage('evaluating', `evaluating on the held-out tail (${testIdx.length} windows)`);
    const forecastQuality = forecastEval(model, ds, t, testIdx, gatherRows(ds.x, ds.D, testIdx));
    const bx = gatherRows(ds.x, ds.D, testBreachIdx);
    const bout = model.predict(bx, testBreachIdx.length);
    const scores = new Float32Array(testBreachIdx.length);
    const evalLabels = new Float32Array(testBreachIdx.length);
    testBreachIdx.forEach((i, j) => {
      scores[j] = breachScore(bout, j, cols);
      evalLabels[j] = labels.y[i] as number;
    });
    const evaluation = evaluate({
      idx: testBreachIdx,
      end: ds.end,
      src: ds.src,
      sources: ds.sources,
      scores,
      labels: evalLabels,
      K: 1,
      classes: null,
      faults: episodes,
      threshold,
      horizonMs,
      until: 'start',
    });
    const training: TrainingInfo = {
      samples: c.samples,
      faults: null,
      sources: ds.sources,
      from: ds.bounds.from,
      to: ds.bounds.to,
      trainEnd: ds.bounds.trainEnd,
      valEnd: ds.bounds.valEnd,
      windows: { train: trainIdx.length, val: valIdx.length, test: testIdx.length },
      seed: req.seed,
      epochs: fit.history.length,
      bestEpoch: fit.bestEpoch,
      stoppedEarly: fit.stoppedEarly,
      history: fit.history,
      seconds: (Date.now() - c.started) / 1000,
    };
    const draft = {
      ...partial,
      kind: 'forecaster' as const,
      forecast,
      limits,
      forecastEval: forecastQuality,
      training,
      evaluation,
    } satisfies MetaDraft;
    let version: number | null = null;
    let dir: string | null = null;
    let meta: ForecasterMeta = { ...draft, name, version: 1, files: {} };
    if (req.save) {
      stage('saving', `saving to ${req.modelsDir}/${name}/`);
      const saved = await saveModel(req.modelsDir, name, await modelToFiles(net), draft);
      version = saved.version;
      dir = saved.dir;
      meta = saved.meta as ForecasterMeta;
    }
    model.meta = meta;
    const result: TrainResult = {
      name,
      kind: 'forecaster',
      version,
      dir,
      backend: c.backend.name,
      features: ds.schema,
      training,
      evaluation,
      classes: [],
      forecast: forecastQuality,
    };
    return { result, model };
  } catch (err) {
    if (model) model.dispose();
    else net.dispose();
    throw err;
  }
}
