import * as tf from '@tensorflow/tfjs';
import { createRng } from '../sim/random.js';
import type { EpochLog } from './meta.js';

export interface EpochProgress extends EpochLog {
  epochs: number;
  /** best validation loss so far */
  best: number;
  /** estimated time left if training runs all epochs (early stopping may end it sooner), ms */
  etaMs: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** stop after this many epochs without a validation-loss improvement */
  patience: number;
  seed: number;
  onEpoch?: (p: EpochProgress) => void;
  /** checked between epochs; true stops training (best weights are kept) */
  shouldStop?: () => boolean;
}

export interface FitResult {
  history: EpochLog[];
  /** 1-based epoch whose weights the model ends with (lowest validation loss) */
  bestEpoch: number;
  stoppedEarly: boolean;
}

/**
 * Default batch size: about 200 steps per epoch, a power of two in [32, 512] — small data sets get
 * enough updates, large ones do not pay per-step overhead (which dominates small dense models on wasm).
 */
export function autoBatchSize(trainWindows: number): number {
  const p = 2 ** Math.round(Math.log2(Math.max(1, trainWindows / 200)));
  return Math.min(512, Math.max(32, p));
}

function permutation(n: number, rng: ReturnType<typeof createRng>): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/**
 * Train a compiled model epoch by epoch: a seeded shuffle each epoch (tfjs' own shuffle uses
 * Math.random), validation loss each epoch, early stopping with the best weights restored.
 */
export async function fitWithEarlyStopping(
  model: tf.LayersModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  val: [tf.Tensor2D, tf.Tensor2D],
  o: FitOptions,
): Promise<FitResult> {
  const rng = createRng(o.seed);
  const n = x.shape[0];
  const history: EpochLog[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: tf.Tensor[] | null = null;
  let stoppedEarly = false;
  const started = Date.now();
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const idx = tf.tensor1d(permutation(n, rng), 'int32');
      const xs = tf.gather(x, idx);
      const ys = tf.gather(y, idx);
      let h: tf.History;
      try {
        h = await model.fit(xs, ys, {
          epochs: 1,
          batchSize: o.batchSize,
          shuffle: false,
          validationData: val,
          verbose: 0,
        });
      } finally {
        tf.dispose([idx, xs, ys]);
      }
      const loss = Number(h.history['loss']?.[0]);
      const valLoss = Number(h.history['val_loss']?.[0]);
      history.push({ epoch, loss, valLoss });
      if (valLoss < best && (best === Number.POSITIVE_INFINITY || valLoss < best - 1e-7 * Math.abs(best))) {
        best = valLoss;
        bestEpoch = epoch;
        if (bestWeights) tf.dispose(bestWeights);
        bestWeights = model.getWeights().map((w) => w.clone());
      }
      const perEpoch = (Date.now() - started) / epoch;
      o.onEpoch?.({ epoch, loss, valLoss, epochs: o.epochs, best, etaMs: perEpoch * (o.epochs - epoch) });
      if (epoch - bestEpoch >= o.patience && epoch < o.epochs) {
        stoppedEarly = true;
        break;
      }
      if (o.shouldStop?.()) break;
    }
    if (bestWeights) model.setWeights(bestWeights);
  } finally {
    if (bestWeights) tf.dispose(bestWeights);
  }
  return { history, bestEpoch, stoppedEarly };
}
