import * as tf from '@tensorflow/tfjs';
import { inputSize } from './features.js';
import { inferChunked } from './infer.js';
import type { ForecasterMeta } from './meta.js';

/**
 * The forecaster: a window of the shared feature pipeline → for each metric and each of `steps`
 * future steps, a Laplace distribution (location "mean", scale "sigma") of the metric's scaled
 * value — a median head: trained on the Laplace likelihood it beat the Gaussian one on MAE on the
 * generated data (the Gaussian's squared error chases the jumps into faults). The network predicts
 * the change from the window's last (scaled, forward-filled) value, so "nothing changes" is its
 * starting point; sigma = softplus(raw) + SIGMA_FLOOR, then multiplied by the per-(step, metric)
 * factor fitted on the validation split so the band `mean ± z·sigma` covers `band` of the values.
 *
 * Architecture (dense only, every kernel exists on wasm): D → hidden (relu) → 2·S·M, plus a linear
 * path D → 2·S·M (trends extrapolate linearly), summed. Output layout: [ Δmean: S×M | raw sigma: S×M ],
 * step-major (index j·M + m).
 */
export const SIGMA_FLOOR = 0.01;
/** L2 penalty on every kernel: overlapping windows overfit quickly without it. */
export const L2 = 1e-3;

export interface ForecasterOutput {
  kind: 'forecaster';
  n: number;
  /** steps × metrics per window */
  S: number;
  M: number;
  /** n × S × M expected values, raw units */
  mean: Float32Array;
  /** n × S × M calibrated sigmas, raw units */
  sigma: Float32Array;
  /** n × M the window's last (forward-filled) value, raw units (from the clipped scaled value) */
  last: Float32Array;
}

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

/** The forecaster network for D inputs, S steps and M metrics. */
export function buildForecaster(D: number, S: number, M: number, hidden: number, seed: number): tf.LayersModel {
  const out = 2 * S * M;
  const input = tf.input({ shape: [D] });
  // output layers start at zero: the untrained forecast is "the last value stays", sigma softplus(0)
  const l2 = () => tf.regularizers.l2({ l2: L2 });
  const h = tf.layers
    .dense({
      units: hidden,
      activation: 'relu',
      kernelInitializer: init(seed),
      biasInitializer: 'zeros',
      kernelRegularizer: l2(),
    })
    .apply(input) as tf.SymbolicTensor;
  const deep = tf.layers
    .dense({ units: out, activation: 'linear', kernelInitializer: 'zeros', kernelRegularizer: l2() })
    .apply(h) as tf.SymbolicTensor;
  const linear = tf.layers
    .dense({ units: out, activation: 'linear', kernelInitializer: 'zeros', kernelRegularizer: l2() })
    .apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([deep, linear]) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: sum, name: 'forecaster' });
}

/**
 * Masked Laplace negative log-likelihood (log b + |y − μ| / b): yTrue = [target Δ (S×M) | mask (S×M)], yPred = the
 * network output. Missing targets (mask 0) do not count.
 */
export function laplaceNll(SM: number): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const y = yTrue.slice([0, 0], [-1, SM]);
      const mask = yTrue.slice([0, SM], [-1, SM]);
      const mu = yPred.slice([0, 0], [-1, SM]);
      const sigma = tf.softplus(yPred.slice([0, SM], [-1, SM])).add(SIGMA_FLOOR);
      const nll = tf.log(sigma).add(tf.abs(y.sub(mu)).div(sigma));
      return nll.mul(mask).sum().div(mask.sum().add(1e-6));
    });
}

const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** Raw network outputs for n windows (n × 2SM). */
export function forecastRaw(net: tf.LayersModel, x: Float32Array, n: number, D: number, SM: number): Float32Array {
  return n > 0 ? inferChunked(x, n, D, 2 * SM, (input) => net.apply(input) as tf.Tensor) : new Float32Array(0);
}

/**
 * Decode raw outputs into scaled means and (uncalibrated) sigmas: mean = last + Δ. `into` receives
 * n × S × M each.
 */
export function decodeScaled(
  raw: Float32Array,
  x: Float32Array,
  n: number,
  D: number,
  W: number,
  S: number,
  M: number,
): { mu: Float32Array; sd: Float32Array } {
  const SM = S * M;
  const mu = new Float32Array(n * SM);
  const sd = new Float32Array(n * SM);
  for (let i = 0; i < n; i++) {
    const lastBase = i * D + (W - 1) * M;
    for (let j = 0; j < S; j++) {
      for (let m = 0; m < M; m++) {
        const k = j * M + m;
        mu[i * SM + k] = (x[lastBase + m] as number) + (raw[i * 2 * SM + k] as number);
        sd[i * SM + k] = softplus(raw[i * 2 * SM + SM + k] as number) + SIGMA_FLOOR;
      }
    }
  }
  return { mu, sd };
}

/** A trained forecaster: windows → expected values and calibrated sigmas per step and metric. */
export class ForecasterModel {
  readonly kind = 'forecaster' as const;

  constructor(
    readonly net: tf.LayersModel,
    /** replaced only by a meta with the same features and forecast spec (e.g. once saved) */
    public meta: ForecasterMeta,
  ) {}

  predict(x: Float32Array, n: number): ForecasterOutput {
    const f = this.meta.features;
    const M = f.metrics.length;
    const S = this.meta.forecast.steps;
    const SM = S * M;
    const D = inputSize(f);
    const raw = forecastRaw(this.net, x, n, D, SM);
    const { mu, sd } = decodeScaled(raw, x, n, D, f.window, S, M);
    const { center, scale } = f.scaler;
    const k = this.meta.forecast.sigmaScale;
    const mean = new Float32Array(n * SM);
    const sigma = new Float32Array(n * SM);
    const last = new Float32Array(n * M);
    for (let i = 0; i < n; i++) {
      for (let m = 0; m < M; m++) {
        last[i * M + m] = (center[m] as number) + (scale[m] as number) * (x[i * D + (f.window - 1) * M + m] as number);
      }
      for (let q = 0; q < SM; q++) {
        const m = q % M;
        mean[i * SM + q] = (center[m] as number) + (scale[m] as number) * (mu[i * SM + q] as number);
        sigma[i * SM + q] = (scale[m] as number) * (sd[i * SM + q] as number) * ((k[q] as number) ?? 1);
      }
    }
    return { kind: 'forecaster', n, S, M, mean, sigma, last };
  }

  dispose(): void {
    this.net.dispose();
  }
}
