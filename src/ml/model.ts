import type * as tf from '@tensorflow/tfjs';
import { AutoencoderModel, type AutoencoderOutput } from './autoencoder.js';
import type { ModelMeta } from './meta.js';
import { PredictorModel, type PredictorOutput } from './predictor.js';

export type TrainedModel = AutoencoderModel | PredictorModel;
export type ModelOutput = AutoencoderOutput | PredictorOutput;

/** Wrap a loaded network with its meta into the model of its kind. */
export function wrapModel(net: tf.LayersModel, meta: ModelMeta): TrainedModel {
  return meta.kind === 'autoencoder' ? new AutoencoderModel(net, meta) : new PredictorModel(net, meta);
}

/** The n × K score matrix the evaluation uses (autoencoder: K = 1, the anomaly score). */
export function scoreMatrix(out: ModelOutput): { scores: Float32Array; K: number } {
  if (out.kind === 'autoencoder') return { scores: out.score, K: 1 };
  return { scores: out.probs, K: out.n > 0 ? out.probs.length / out.n : 0 };
}
