import * as tf from '@tensorflow/tfjs';

/**
 * Model architectures: dense layers only (every kernel they need exists on wasm, cpu and native;
 * no convolutions — wasm lacks Conv2DBackpropFilter). Initialisers are seeded so a seed gives the
 * same model on the same backend.
 */
const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function dense(units: number, activation: 'relu' | 'linear', seed: number, inputDim?: number): tf.layers.Layer {
  return tf.layers.dense({
    units,
    activation,
    kernelInitializer: init(seed),
    biasInitializer: 'zeros',
    ...(inputDim !== undefined ? { inputShape: [inputDim] } : {}),
  });
}

export interface AutoencoderShape {
  hidden: number;
  latent: number;
}

/** D → hidden → latent → hidden → D: reconstructs a window's feature vector. */
export function buildAutoencoder(D: number, shape: AutoencoderShape, seed: number): tf.Sequential {
  const m = tf.sequential({ name: 'autoencoder' });
  m.add(dense(shape.hidden, 'relu', seed, D));
  m.add(dense(shape.latent, 'linear', seed + 1));
  m.add(dense(shape.hidden, 'relu', seed + 2));
  m.add(dense(D, 'linear', seed + 3));
  return m;
}

export interface PredictorShape {
  hidden: number[];
}

/** D → hidden… → K logits (one per fault type; sigmoid + Platt calibration applied outside). */
export function buildPredictor(D: number, K: number, shape: PredictorShape, seed: number): tf.Sequential {
  const m = tf.sequential({ name: 'predictor' });
  shape.hidden.forEach((h, i) => {
    m.add(dense(h, 'relu', seed + i, i === 0 ? D : undefined));
  });
  m.add(dense(K, 'linear', seed + shape.hidden.length, shape.hidden.length === 0 ? D : undefined));
  return m;
}

/**
 * Class-weighted sigmoid cross-entropy on logits: positives of class k weigh `posWeight[k]`
 * (≈ negatives/positives, capped), so rare fault types are not ignored.
 */
export function weightedSigmoidLoss(posWeight: readonly number[]): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const w = tf.tensor1d(posWeight.map((p) => p - 1));
      const weights = yTrue.mul(w).add(1);
      // numerically stable: max(z, 0) − z·y + log(1 + exp(−|z|))
      const ce = tf
        .relu(yPred)
        .sub(yPred.mul(yTrue))
        .add(tf.log1p(tf.exp(tf.abs(yPred).neg())));
      return ce.mul(weights).sum().div(weights.sum());
    });
}
