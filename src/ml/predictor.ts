import type * as tf from '@tensorflow/tfjs';
import { applyPlatt } from './calibration.js';
import { inputSize } from './features.js';
import { inferChunked } from './infer.js';
import type { PredictorMeta } from './meta.js';

export interface PredictorOutput {
  kind: 'predictor';
  n: number;
  /** n × K calibrated probabilities, K = meta.classes.length */
  probs: Float32Array;
}

/** Raw logits of n windows (n × K). */
export function predictLogits(net: tf.LayersModel, x: Float32Array, n: number, D: number): Float32Array {
  const outShape = net.outputs[0]?.shape ?? [];
  const K = outShape[outShape.length - 1] as number;
  return inferChunked(x, n, D, K, (input) => net.apply(input) as tf.Tensor);
}

/** A trained fault predictor: windows → calibrated probability of each fault type within the horizon. */
export class PredictorModel {
  readonly kind = 'predictor' as const;

  constructor(
    readonly net: tf.LayersModel,
    /** replaced only by a meta with the same features and calibration (e.g. once saved) */
    public meta: PredictorMeta,
  ) {}

  predict(x: Float32Array, n: number): PredictorOutput {
    const K = this.meta.classes.length;
    const logits = predictLogits(this.net, x, n, inputSize(this.meta.features));
    const probs = new Float32Array(n * K);
    for (let i = 0; i < n * K; i++) {
      const c = this.meta.calibration[i % K];
      probs[i] = c ? applyPlatt(c, logits[i] as number) : 0;
    }
    return { kind: 'predictor', n, probs };
  }

  dispose(): void {
    this.net.dispose();
  }
}
