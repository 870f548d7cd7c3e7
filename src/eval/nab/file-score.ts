import type { FileLayout } from './layout.js';
import type { Profile } from './profiles.js';
import { MAX_TP } from './sigmoid.js';

/** Row counts over the non-probationary rows (NAB's TP/TN/FP/FN are per row). */
export interface Counts {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  /** tp + tn + fp + fn */
  total: number;
}

export interface FileScore extends Counts {
  /** raw NAB score of the file (Σ window scores + Σ FP costs) */
  score: number;
}

/** The weighted sweep score of row i under a profile. */
export function sweepScore(layout: FileLayout, i: number, profile: Profile): number {
  const u = layout.unweighted[i] as number;
  return (layout.window[i] as number) >= 0 ? (u * profile.tpWeight) / MAX_TP : u * profile.fpWeight;
}

/**
 * Scores one file with detections = rows with `anomaly >= threshold` (identical to NAB's
 * `scoreDataSet` threshold lookup): each scorable window scores its best (earliest) detection's
 * sweep score or −fnWeight if missed; every detection outside windows adds its (negative) sweep
 * score. With `contributions`, also returns each row's share of the score in the layout of NAB
 * v1.0's `S(t)_<profile>` columns (window score on the window's first scored row, FP cost on the
 * FP's row, 0 elsewhere).
 */
export function scoreFile(
  layout: FileLayout,
  anomaly: ArrayLike<number>,
  profile: Profile,
  threshold: number,
  opts: { contributions?: boolean } = {},
): FileScore & { contributions?: Float64Array } {
  const nw = layout.windows.length;
  const best = new Float64Array(nw).fill(Number.NEGATIVE_INFINITY);
  const firstScoredRow = new Int32Array(nw).fill(-1);
  const contributions = opts.contributions ? new Float64Array(layout.rows) : undefined;
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let fpSum = 0;
  for (let i = layout.firstScored; i < layout.rows; i++) {
    const w = layout.window[i] as number;
    const hit = (anomaly[i] as number) >= threshold;
    if (w >= 0) {
      if (firstScoredRow[w] === -1) firstScoredRow[w] = i;
      if (hit) {
        tp++;
        const s = sweepScore(layout, i, profile);
        if (s > (best[w] as number)) best[w] = s;
      } else fn++;
    } else if (hit) {
      fp++;
      const s = sweepScore(layout, i, profile);
      fpSum += s;
      if (contributions) contributions[i] = s;
    } else tn++;
  }
  let score = fpSum;
  for (let w = 0; w < nw; w++) {
    if (!layout.scorable[w]) continue;
    const b = best[w] as number;
    // NAB starts each window's part at −fnWeight and keeps the max with its detections
    const ws = Math.max(-profile.fnWeight, b);
    score += ws;
    if (contributions) contributions[firstScoredRow[w] as number] = ws;
  }
  const out: FileScore & { contributions?: Float64Array } = { score, tp, tn, fp, fn, total: tp + tn + fp + fn };
  if (contributions) out.contributions = contributions;
  return out;
}
