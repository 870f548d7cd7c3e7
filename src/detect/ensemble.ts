import type { DetectorStatus } from '../contracts/score.js';
import { usable } from './calibrate.js';
import type { DetectorConfig } from './config.js';
import type { Detector, DetectorOutput } from './detector.js';
import { createDetectors } from './registry.js';

export type Combine = 'max' | 'mean' | 'second';

/** The ensemble's result for one point; one object is reused for every point (read, then move on). */
export interface EnsembleResult {
  /** combined score on the common scale */
  score: number;
  status: DetectorStatus;
  /** expected value and band (expected ± spread) from the most confident ready detector; NaN when unknown */
  expected: number;
  lower: number;
  upper: number;
  /** each detector's score, in detector order */
  scores: Float64Array;
  /** each detector's signed z (normal-equivalent σ), in detector order */
  zs: Float64Array;
  /** index of the detector with the highest (weighted) score, -1 when every score is 0 */
  top: number;
  /** detectors that are ready at this point */
  readyCount: number;
}

/**
 * Runs the detectors of one series and combines their scores:
 *  - 'max' (default): the highest weighted score — one confident detector is enough;
 *  - 'mean': the weight-averaged score of the ready detectors;
 *  - 'second': the second-highest weighted score — two detectors must agree.
 * A weighted score is min(1, weight·score). Learning detectors score 0 and are left out of 'mean'.
 *
 * Status: 'ready' when enough detectors are ready for the combination to be able to score — one
 * for 'max'/'mean', two for 'second' — so a seasonal detector still learning its profile does not
 * hold the series back.
 * Expected/band: from the ready detector with the narrowest band (the most confident model of
 * the series at this point); while none is ready, from the narrowest learning one.
 *
 * Change-point awareness: when a detector re-baselines (CUSUM reports `newLevel`), every other
 * detector that implements `rebase` moves to the new level, so a new normal stops alarming.
 */
export class Ensemble {
  readonly detectors: Detector<unknown>[];
  readonly names: string[];
  readonly combine: Combine;
  private readonly weights: Float64Array;
  private readonly need: number;
  private readonly res: EnsembleResult;

  constructor(configs: readonly DetectorConfig[], combine: Combine = 'max') {
    this.detectors = createDetectors(configs);
    this.names = this.detectors.map((d) => d.name);
    this.weights = Float64Array.from(configs, (c) => c.weight);
    this.combine = combine;
    this.need = combine === 'second' ? Math.min(2, this.detectors.length) : 1;
    const n = this.detectors.length;
    this.res = {
      score: 0,
      status: 'learning',
      expected: Number.NaN,
      lower: Number.NaN,
      upper: Number.NaN,
      scores: new Float64Array(n),
      zs: new Float64Array(n),
      top: -1,
      readyCount: 0,
    };
  }

  /** the per-detector score array of the reused result (overwritten by every run) */
  get scoresView(): Float64Array {
    return this.res.scores;
  }

  init(): unknown[] {
    return this.detectors.map((d) => d.init());
  }

  /** score one point (value NaN = missing; a non-finite ts makes the point missing too) */
  run(states: unknown[], ts: number, value: number): EnsembleResult {
    const r = this.res;
    const dets = this.detectors;
    const w = this.weights;
    const n = dets.length;
    const x = usable(ts) ? value : Number.NaN;
    let best = -1;
    let best2 = -1;
    let top = -1;
    let sum = 0;
    let wsum = 0;
    let ready = 0;
    let bandSpread = Number.POSITIVE_INFINITY;
    let bandExpected = Number.NaN;
    let bandReady = false;
    let rebaseFrom = -1;
    let rebaseLevel = 0;
    for (let i = 0; i < n; i++) {
      const o: DetectorOutput = (dets[i] as Detector<unknown>).update(states[i], ts, x);
      const s = o.score;
      r.scores[i] = s;
      r.zs[i] = o.z;
      const isReady = o.status === 'ready';
      if (isReady) {
        ready++;
        const ws = s * (w[i] as number);
        const v = Math.min(ws, 1);
        if (v > best) {
          best2 = best;
          best = v;
          top = v > 0 ? i : top;
        } else if (v > best2) best2 = v;
        sum += s * (w[i] as number);
        wsum += w[i] as number;
      }
      // band: prefer ready detectors, then the narrowest
      const sp = o.spread;
      const ex = o.expected;
      if (
        !Number.isNaN(ex) &&
        !Number.isNaN(sp) &&
        (isReady ? !bandReady || sp < bandSpread : !bandReady && sp < bandSpread)
      ) {
        bandSpread = sp;
        bandExpected = ex;
        bandReady = isReady;
      }
      const nl = o.newLevel;
      if (nl !== undefined && !Number.isNaN(nl)) {
        rebaseFrom = i;
        rebaseLevel = nl;
      }
    }
    if (rebaseFrom >= 0) {
      for (let i = 0; i < n; i++) {
        const d = dets[i] as Detector<unknown>;
        if (i !== rebaseFrom && d.rebase) d.rebase(states[i], ts, rebaseLevel);
      }
    }
    let score: number;
    if (this.combine === 'max') score = Math.max(best, 0);
    else if (this.combine === 'mean') score = wsum > 0 ? Math.min(1, sum / wsum) : 0;
    else score = Math.max(best2, 0);
    r.score = score;
    r.top = top;
    r.readyCount = ready;
    r.status = ready >= this.need ? 'ready' : 'learning';
    r.expected = bandExpected;
    r.lower = bandExpected - bandSpread;
    r.upper = bandExpected + bandSpread;
    if (!(bandSpread < Number.POSITIVE_INFINITY)) {
      r.lower = Number.NaN;
      r.upper = Number.NaN;
    }
    return r;
  }
}
