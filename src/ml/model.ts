import type * as tf from '@tensorflow/tfjs';
import { AutoencoderModel, type AutoencoderOutput } from './autoencoder.js';
import { ForecasterModel, type ForecasterOutput } from './forecast.js';
import type { ModelMeta } from './meta.js';
import { PredictorModel, type PredictorOutput } from './predictor.js';

export type TrainedModel = AutoencoderModel | PredictorModel | ForecasterModel;
export type ModelOutput = AutoencoderOutput | PredictorOutput | ForecasterOutput;

/** Wrap a loaded network with its meta into the model of its kind. */
export function wrapModel(net: tf.LayersModel, meta: ModelMeta): TrainedModel {
  if (meta.kind === 'forecaster') return new ForecasterModel(net, meta);
  return meta.kind === 'autoencoder' ? new AutoencoderModel(net, meta) : new PredictorModel(net, meta);
}

/** The n × K score matrix the evaluation uses (autoencoder: K = 1, the anomaly score). */
export function scoreMatrix(out: ModelOutput): { scores: Float32Array; K: number } {
  if (out.kind === 'autoencoder') return { scores: out.score, K: 1 };
  if (out.kind === 'forecaster') return { scores: new Float32Array(0), K: 0 };
  return { scores: out.probs, K: out.n > 0 ? out.probs.length / out.n : 0 };
}
