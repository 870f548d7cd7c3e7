import { logTailP, scoreFromLogP } from '../detect/calibrate.js';

/** Platt scaling of one output: p = sigmoid(a · logit + b). */
export interface Platt {
  a: number;
  b: number;
}

export const IDENTITY_PLATT: Platt = { a: 1, b: 0 };

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** ln(1 + e^x), stable */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/**
 * Fit Platt scaling on held-out (validation) logits: Newton's method with a backtracking line search
 * on the log loss (after Lin, Lin & Weng's note on Platt's method), Platt's smoothed targets
 * ((N+ + 1)/(N+ + 2), 1/(N- + 2)) so separable data cannot send `a` to infinity, and a small ridge
 * pulling `a` towards 1. Without positives or negatives it returns the identity.
 */
export function fitPlatt(logits: ArrayLike<number>, y: ArrayLike<number>): Platt {
  const n = logits.length;
  let pos = 0;
  for (let i = 0; i < n; i++) if ((y[i] as number) > 0.5) pos++;
  const neg = n - pos;
  if (pos === 0 || neg === 0) return { ...IDENTITY_PLATT };
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  const ridge = 1e-3;
  const target = (i: number) => ((y[i] as number) > 0.5 ? hi : lo);
  const loss = (a: number, b: number) => {
    let l = 0.5 * ridge * (a - 1) * (a - 1);
    for (let i = 0; i < n; i++) {
      const f = a * (logits[i] as number) + b;
      const t = target(i);
      l += t * softplus(-f) + (1 - t) * softplus(f);
    }
    return l;
  };
  let a = 1;
  let b = 0;
  let cur = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let gA = ridge * (a - 1);
    let gB = 0;
    let hAA = ridge + 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let i = 0; i < n; i++) {
      const z = logits[i] as number;
      const p = sigmoid(a * z + b);
      const d = p - target(i);
      const w = Math.max(p * (1 - p), 1e-12);
      gA += d * z;
      gB += d;
      hAA += w * z * z;
      hAB += w * z;
      hBB += w;
    }
    if (Math.abs(gA) + Math.abs(gB) < 1e-9 * n) break;
    const det = hAA * hBB - hAB * hAB;
    let dA: number;
    let dB: number;
    if (det > 1e-300) {
      dA = -(hBB * gA - hAB * gB) / det;
      dB = -(hAA * gB - hAB * gA) / det;
    } else {
      dA = -gA;
      dB = -gB;
    }
    const slope = gA * dA + gB * dB;
    let step = 1;
    let next = loss(a + dA, b + dB);
    while (!(next <= cur + 1e-4 * step * slope) && step > 1e-10) {
      step /= 2;
      next = loss(a + step * dA, b + step * dB);
    }
    if (step <= 1e-10) break;
    a += step * dA;
    b += step * dB;
    const improved = cur - next;
    cur = next;
    if (improved < 1e-12 * (1 + Math.abs(cur))) break;
  }
  return Number.isFinite(a) && Number.isFinite(b) ? { a, b } : { ...IDENTITY_PLATT };
}

export function applyPlatt(c: Platt, logit: number): number {
  return sigmoid(c.a * logit + c.b);
}

/**
 * Calibration of reconstruction errors: ln(error) of normal windows is modelled as normal with a
 * robust center (median) and scale (1.4826 · MAD), fitted on held-out normal windows.
 */
export interface ErrorCalibration {
  center: number;
  scale: number;
}

export function fitErrorCalibration(errors: ArrayLike<number>): ErrorCalibration {
  const logs: number[] = [];
  for (let i = 0; i < errors.length; i++) logs.push(Math.log(Math.max(errors[i] as number, 1e-12)));
  if (logs.length === 0) return { center: 0, scale: 1 };
  logs.sort((a, b) => a - b);
  const med = (xs: number[]) => {
    const h = xs.length >> 1;
    return xs.length % 2 ? (xs[h] as number) : ((xs[h - 1] as number) + (xs[h] as number)) / 2;
  };
  const center = med(logs);
  const dev = logs.map((v) => Math.abs(v - center)).sort((a, b) => a - b);
  return { center, scale: Math.max(1.4826 * med(dev), 1e-3) };
}

/**
 * Anomaly score of a reconstruction error on the common scale (contracts/score.ts):
 * z = (ln e − center) / scale, p = one-sided upper tail P(Z ≥ z), score = min(1, −log10(p)/10).
 * Errors at or below the typical one score 0.
 */
export function errorScore(c: ErrorCalibration, error: number): number {
  const z = (Math.log(Math.max(error, 1e-12)) - c.center) / c.scale;
  if (!(z > 0)) return 0;
  return scoreFromLogP(logTailP(z) - Math.LN2);
}
