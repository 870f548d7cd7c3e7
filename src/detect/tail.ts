import { logTailP, scoreFromLogP, scoreFromZ } from './calibrate.js';
import { ewAlpha } from './output.js';

/**
 * Heavy-tail guard shared by the detectors. Real metrics are rarely Gaussian: a series whose
 * residuals pass 4σ every few hundred points must not score each such point as a 1-in-10^5 event.
 *
 * Once ready, a detector tracks exceedances of |z| >= TAIL_Z0, declustered (a run of consecutive
 * exceedances is one episode, as in extreme-value practice): `e`, the EW rate of episodes (memory
 * TAIL_HALF_LIFE points, so e/α is a decayed episode count), and `g`, the EW mean log-excess
 * ln(|z|/TAIL_Z0) of their first points (a Hill estimate of the tail index). When at least
 * MIN_EPISODES episodes are remembered, a point beyond TAIL_Z0 scores with the larger of the
 * Gaussian tail and the fitted Pareto tail  p = e·(|z|/TAIL_Z0)^(−1/γ), with γ shrunk towards a
 * light tail (PRIOR_G, weight PRIOR_K episodes). One incident — however many points long — never
 * softens the scores of its own points; a series with recurring bursts stops alarming on each.
 */
export const TAIL_Z0 = 4;
const TAIL_HALF_LIFE = 1000;
const RATE_ALPHA = ewAlpha(TAIL_HALF_LIFE);
/** weight of one episode in the tail-index mean */
const INDEX_ALPHA = 0.05;
const MIN_EPISODES = 2;
const PRIOR_G = 0.1;
const PRIOR_K = 3;

export interface TailState {
  /** EW rate of exceedance episodes */
  e: number;
  /** EW mean log-excess of episodes (0 = none yet) */
  g: number;
  /** 1 when the previous learnt point was an exceedance (declustering) */
  q: number;
}

/** Calibrated score of z, guarded by the series' own tail. */
export function tailScore(t: TailState, z: number): number {
  const a = z < 0 ? -z : z;
  if (a < TAIL_Z0 || t.g <= 0) return scoreFromZ(z);
  const k = t.e / RATE_ALPHA;
  if (k < MIN_EPISODES) return scoreFromZ(z);
  const g = (PRIOR_K * PRIOR_G + k * t.g) / (PRIOR_K + k);
  const gauss = logTailP(z);
  const pareto = Math.log(t.e) - Math.log(a / TAIL_Z0) / g;
  return scoreFromLogP(Math.max(pareto, gauss));
}

/** Learn from one ready point's z (unclipped). */
export function learnTail(t: TailState, z: number): void {
  const a = z < 0 ? -z : z;
  if (a >= TAIL_Z0) {
    if (t.q === 0) {
      t.e = t.e + RATE_ALPHA * (1 - t.e);
      const l = Math.max(Math.log(a / TAIL_Z0), 1e-3);
      t.g = t.g > 0 ? t.g + INDEX_ALPHA * (l - t.g) : l;
    }
    t.q = 1;
  } else {
    t.q = 0;
    if (t.e > 0) {
      const e = t.e * (1 - RATE_ALPHA);
      t.e = e > 1e-12 ? e : 0;
    }
  }
}
