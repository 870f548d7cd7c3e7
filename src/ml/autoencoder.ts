import * as tf from '@tensorflow/tfjs';
import { type ErrorCalibration, errorScore } from './calibration.js';
import { featureMetric, inputSize } from './features.js';
import { inferChunked } from './infer.js';
import type { AutoencoderMeta } from './meta.js';

export interface AutoencoderOutput {
  kind: 'autoencoder';
  n: number;
  /** anomaly score per window on the common scale */
  score: Float32Array;
  /** mean squared reconstruction error per window */
  error: Float32Array;
  /** n × M: each metric's share of the window's squared error */
  share: Float32Array;
}

/** Squared reconstruction error per window and metric, computed in-graph (one n × M read-back). */
export function reconstructionErrors(
  net: tf.LayersModel,
  assign: tf.Tensor2D,
  x: Float32Array,
  n: number,
): Float32Array {
  const [D, M] = assign.shape;
  return inferChunked(x, n, D, M, (input) =>
    tf.matMul(tf.squaredDifference(net.apply(input) as tf.Tensor2D, input), assign),
  );
}

/** D × M 0/1 matrix mapping each feature to its metric. */
export function metricAssignment(meta: Pick<AutoencoderMeta, 'features'>): tf.Tensor2D {
  const D = inputSize(meta.features);
  const M = meta.features.metrics.length;
  const a = new Float32Array(D * M);
  for (let d = 0; d < D; d++) a[d * M + featureMetric(meta.features, d)] = 1;
  return tf.tensor2d(a, [D, M]);
}

/** A trained autoencoder: windows → calibrated anomaly scores and per-metric error shares. */
export class AutoencoderModel {
  readonly kind = 'autoencoder' as const;
  private readonly assign: tf.Tensor2D;
  private readonly calib: ErrorCalibration;

  constructor(
    readonly net: tf.LayersModel,
    /** replaced only by a meta with the same features and calibration (e.g. once saved) */
    public meta: AutoencoderMeta,
  ) {
    this.assign = metricAssignment(meta);
    this.calib = { center: meta.anomaly.center, scale: meta.anomaly.scale };
  }

  predict(x: Float32Array, n: number): AutoencoderOutput {
    const M = this.meta.features.metrics.length;
    const D = inputSize(this.meta.features);
    const per = n > 0 ? reconstructionErrors(this.net, this.assign, x, n) : new Float32Array(0);
    const score = new Float32Array(n);
    const error = new Float32Array(n);
    const share = new Float32Array(n * M);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let m = 0; m < M; m++) sum += per[i * M + m] as number;
      const e = sum / D;
      error[i] = e;
      score[i] = errorScore(this.calib, e);
      for (let m = 0; m < M; m++) share[i * M + m] = sum > 0 ? (per[i * M + m] as number) / sum : 0;
    }
    return { kind: 'autoencoder', n, score, error, share };
  }

  dispose(): void {
    this.assign.dispose();
    this.net.dispose();
  }
}
