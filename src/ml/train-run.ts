import * as tf from '@tensorflow/tfjs';
import type { FaultSample } from '../contracts/samples.js';
import { buildAutoencoder, buildPredictor, weightedSigmoidLoss } from './architectures.js';
import { modelToFiles } from './artifacts.js';
import { AutoencoderModel, metricAssignment, reconstructionErrors } from './autoencoder.js';
import { initBackend } from './backend.js';
import { fitErrorCalibration, fitPlatt, type Platt } from './calibration.js';
import { buildDataset, type Dataset, gatherRows, SPLIT, splitIndex } from './dataset.js';
import { TrainDataError } from './errors.js';
import { type EvalReport, evaluate } from './evaluate.js';
import { readFaults } from './faults.js';
import type { FeatureSchema } from './features.js';
import { autoBatchSize, type EpochProgress, type FitResult, fitWithEarlyStopping } from './fit.js';
import type { ForecastEval } from './forecast-schema.js';
import { trainForecaster } from './forecast-train.js';
import { buildFrames, type Frames, readFrames } from './frames.js';
import type { AutoencoderMeta, ModelMeta, PredictorMeta, TrainingInfo } from './meta.js';
import type { TrainedModel } from './model.js';
import { PredictorModel, predictLogits } from './predictor.js';
import { type MetaDraft, saveModel } from './registry.js';
import { TrainRequest, type TrainRequestInput } from './request.js';
import { generateSamples } from './synthetic.js';

export type TrainStage = 'backend' | 'loading' | 'features' | 'training' | 'calibrating' | 'evaluating' | 'saving';

export type TrainProgress = { type: 'stage'; stage: TrainStage; message: string } | ({ type: 'epoch' } & EpochProgress);

/** What a training job reports back (plain data: crosses the worker boundary). */
export interface TrainResult {
  name: string;
  kind: 'autoencoder' | 'predictor' | 'forecaster';
  /** registry version and folder; null when not saved */
  version: number | null;
  dir: string | null;
  backend: string;
  features: FeatureSchema;
  training: TrainingInfo;
  evaluation: EvalReport;
  /** predictor: fault types in output order */
  classes: string[];
  /** forecaster: MAE and band coverage on the held-out tail (breach warnings are in `evaluation`) */
  forecast?: ForecastEval;
}

const DEFAULT_HORIZON_MS = 30 * 60_000;
const MAX_POS_WEIGHT = 50;

interface Loaded {
  frames: Frames;
  faults: FaultSample[];
  samples: string;
  faultsFrom: string | null;
  horizonMs: number;
}

async function loadData(req: TrainRequest): Promise<Loaded> {
  if ('synthetic' in req.samples) {
    const syn = req.samples.synthetic;
    const data = generateSamples(syn);
    return {
      frames: buildFrames(data.points),
      faults: data.faults,
      samples: `synthetic:seed=${syn.seed}`,
      faultsFrom: 'synthetic',
      horizonMs: req.horizonMs ?? data.horizonMs,
    };
  }
  const frames = await readFrames(req.samples.file, { source: req.samples.source, metric: req.samples.metric });
  const faults = req.faults ? await readFaults(req.faults) : [];
  return {
    frames,
    faults,
    samples: req.samples.file,
    faultsFrom: req.faults ?? null,
    horizonMs: req.horizonMs ?? DEFAULT_HORIZON_MS,
  };
}

function tensors(ds: Dataset, idx: Int32Array, y: Float32Array | null, K: number): [tf.Tensor2D, tf.Tensor2D] {
  const x = tf.tensor2d(gatherRows(ds.x, ds.D, idx), [idx.length, ds.D]);
  return [x, y ? tf.tensor2d(gatherRows(y, K, idx), [idx.length, K]) : x];
}

function requireWindows(what: string, idx: Int32Array, min: number): void {
  if (idx.length < min)
    throw new TrainDataError(
      `${what}: ${idx.length} windows, need at least ${min} — more history (or a smaller --window / --horizon) is needed`,
    );
}

/**
 * Train one model in this thread (the worker runs this): load samples → shared feature pipeline →
 * leak-free time split → fit with early stopping → calibrate on validation → evaluate on the held-out
 * tail → save to the registry. Returns the result and the trained model (the caller disposes it).
 */
export async function runTraining(
  input: TrainRequestInput,
  onProgress: (p: TrainProgress) => void = () => {},
  shouldStop?: () => boolean,
): Promise<{ result: TrainResult; model: TrainedModel }> {
  const req = TrainRequest.parse(input);
  const started = Date.now();
  const stage = (s: TrainStage, message: string) => onProgress({ type: 'stage', stage: s, message });
  const backend = await initBackend();
  stage('backend', `tfjs backend: ${backend.name}`);
  stage('loading', `reading samples from ${'file' in req.samples ? req.samples.file : 'the synthetic generator'}`);
  const data = await loadData(req);
  if (req.kind === 'forecaster') return trainForecaster(req, { ...data, backend, started, onProgress, shouldStop });
  if (req.kind === 'predictor' && data.faults.length === 0)
    throw new TrainDataError('a predictor needs fault samples (--faults <file.jsonl>) to learn from');
  const horizonMs = data.horizonMs;
  const ds = buildDataset(data.frames, data.faults, { window: req.window, horizonMs, fractions: req.fractions });
  const { labels } = ds;
  const isPredictor = req.kind === 'predictor';
  const keep = isPredictor ? (i: number) => labels.ongoing[i] === 0 : (i: number) => labels.nearFault[i] === 0;
  const trainIdx = splitIndex(ds, SPLIT.train, keep);
  const valIdx = splitIndex(ds, SPLIT.val, keep);
  const testIdx = splitIndex(ds, SPLIT.test, isPredictor ? keep : undefined);
  stage(
    'features',
    `${ds.n} windows of ${ds.schema.window} rows × ${ds.schema.metrics.length} metrics [${ds.schema.metrics.join(', ')}] from ${ds.sources.length} sources; train ${trainIdx.length}, validation ${valIdx.length}, test ${testIdx.length}`,
  );
  const batchSize = req.batchSize ?? autoBatchSize(trainIdx.length);
  requireWindows('training split', trainIdx, Math.max(10, Math.min(batchSize, 32)));
  requireWindows('validation split', valIdx, 5);
  requireWindows('test split', testIdx, 5);

  const K = ds.classes.length;
  const seed = req.seed;
  let net: tf.LayersModel;
  let trainY: tf.Tensor2D | null = null;
  if (isPredictor) {
    const posWeight = ds.classes.map((_, k) => {
      let pos = 0;
      for (const i of trainIdx) pos += labels.y[i * K + k] as number;
      return pos > 0 ? Math.min(MAX_POS_WEIGHT, Math.max(1, (trainIdx.length - pos) / pos)) : 1;
    });
    net = buildPredictor(ds.D, K, { hidden: [32, 16] }, seed);
    net.compile({ optimizer: tf.train.adam(req.learningRate), loss: weightedSigmoidLoss(posWeight) });
  } else {
    net = buildAutoencoder(ds.D, { hidden: 32, latent: 8 }, seed);
    net.compile({ optimizer: tf.train.adam(req.learningRate), loss: 'meanSquaredError' });
  }

  let model: TrainedModel | null = null;
  try {
    const [xTr, yTr] = tensors(ds, trainIdx, isPredictor ? labels.y : null, K);
    const [xVa, yVa] = tensors(ds, valIdx, isPredictor ? labels.y : null, K);
    trainY = yTr;
    stage(
      'training',
      `${req.kind}: up to ${req.epochs} epochs, batch ${batchSize}, early stopping after ${req.patience}`,
    );
    let fit: FitResult;
    try {
      fit = await fitWithEarlyStopping(net, xTr, yTr, [xVa, yVa], {
        epochs: req.epochs,
        batchSize,
        patience: req.patience,
        seed,
        onEpoch: (p) => onProgress({ type: 'epoch', ...p }),
        shouldStop,
      });
    } finally {
      tf.dispose([xTr, yTr, xVa, yVa]);
      trainY = null;
    }

    stage('calibrating', 'calibrating on the validation split');
    const valX = gatherRows(ds.x, ds.D, valIdx);
    const threshold = req.threshold ?? (isPredictor ? 0.5 : 0.3);
    const partial = {
      format: 1 as const,
      createdAt: new Date().toISOString(),
      backend: backend.name,
      tfjs: tf.version.tfjs,
      features: ds.schema,
      horizonMs,
    };
    const name = req.name ?? req.kind;
    type Specific<T> = Omit<T, keyof typeof partial | 'training' | 'evaluation' | 'files' | 'name' | 'version'>;
    let kindMeta: Specific<PredictorMeta> | Specific<AutoencoderMeta>;
    if (isPredictor) {
      const logits = predictLogits(net, valX, valIdx.length, ds.D);
      const calibration: Platt[] = ds.classes.map((_, k) => {
        const z = new Float64Array(valIdx.length);
        const y = new Float64Array(valIdx.length);
        valIdx.forEach((i, j) => {
          z[j] = logits[j * K + k] as number;
          y[j] = labels.y[i * K + k] as number;
        });
        return fitPlatt(z, y);
      });
      kindMeta = { kind: 'predictor', classes: ds.classes, calibration, threshold };
      model = new PredictorModel(net, {
        ...partial,
        ...kindMeta,
        name,
        version: 1,
        files: {},
      } as unknown as PredictorMeta);
    } else {
      const assign = metricAssignment({ features: ds.schema });
      const per = reconstructionErrors(net, assign, valX, valIdx.length);
      assign.dispose();
      const M = ds.schema.metrics.length;
      const err = new Float64Array(valIdx.length);
      for (let j = 0; j < valIdx.length; j++) {
        for (let m = 0; m < M; m++) err[j] = (err[j] as number) + (per[j * M + m] as number);
        err[j] = (err[j] as number) / ds.D;
      }
      const c = fitErrorCalibration(err);
      kindMeta = { kind: 'autoencoder', anomaly: { center: c.center, scale: c.scale, threshold } };
      model = new AutoencoderModel(net, {
        ...partial,
        ...kindMeta,
        name,
        version: 1,
        files: {},
      } as unknown as AutoencoderMeta);
    }

    stage('evaluating', `evaluating on the held-out tail (${testIdx.length} windows)`);
    const out = model.predict(gatherRows(ds.x, ds.D, testIdx), testIdx.length);
    const evalK = isPredictor ? K : 1;
    const evalLabels = new Float32Array(testIdx.length * evalK);
    testIdx.forEach((i, j) => {
      if (isPredictor) for (let k = 0; k < K; k++) evalLabels[j * K + k] = labels.y[i * K + k] as number;
      else evalLabels[j] = labels.nearFault[i] as number;
    });
    const evaluation = evaluate({
      idx: testIdx,
      end: ds.end,
      src: ds.src,
      sources: ds.sources,
      scores: out.kind === 'predictor' ? out.probs : out.score,
      labels: evalLabels,
      K: evalK,
      classes: isPredictor ? ds.classes : null,
      faults: ds.faults,
      threshold,
      horizonMs,
      until: isPredictor ? 'start' : 'end',
      graceMs: isPredictor ? 0 : (ds.schema.window - 1) * ds.schema.stepMs,
    });
    const training: TrainingInfo = {
      samples: data.samples,
      faults: data.faultsFrom,
      sources: ds.sources,
      from: ds.bounds.from,
      to: ds.bounds.to,
      trainEnd: ds.bounds.trainEnd,
      valEnd: ds.bounds.valEnd,
      windows: { train: trainIdx.length, val: valIdx.length, test: testIdx.length },
      seed,
      epochs: fit.history.length,
      bestEpoch: fit.bestEpoch,
      stoppedEarly: fit.stoppedEarly,
      history: fit.history,
      seconds: (Date.now() - started) / 1000,
    };
    const draft = { ...partial, ...kindMeta, training, evaluation } as MetaDraft;
    let version: number | null = null;
    let dir: string | null = null;
    let meta: ModelMeta = { ...draft, name, version: 1, files: {} } as ModelMeta;
    if (req.save) {
      stage('saving', `saving to ${req.modelsDir}/${name}/`);
      const saved = await saveModel(req.modelsDir, name, await modelToFiles(net), draft);
      version = saved.version;
      dir = saved.dir;
      meta = saved.meta;
    }
    model.meta = meta as never;
    const result: TrainResult = {
      name,
      kind: req.kind,
      version,
      dir,
      backend: backend.name,
      features: ds.schema,
      training,
      evaluation,
      classes: isPredictor ? ds.classes : [],
    };
    return { result, model };
  } catch (err) {
    if (trainY) tf.dispose(trainY);
    if (model) model.dispose();
    else net.dispose();
    throw err;
  }
}
