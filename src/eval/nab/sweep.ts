import { NabDataError } from './errors.js';
import type { FileLayout } from './layout.js';
import type { Profile } from './profiles.js';
import { MAX_TP } from './sigmoid.js';

/** One file's layout with the detector's anomaly score for each of its rows. */
export interface ScoredFile {
  layout: FileLayout;
  anomaly: ArrayLike<number>;
}

/**
 * The non-probationary rows of many files, concatenated and sorted by anomaly score descending
 * (ties keep corpus order, like Python's stable `sorted(..., reverse=True)`). Independent of the
 * profile, so one preparation serves all three profiles.
 */
export interface PreparedSweep {
  /** anomaly score per row, in sorted order */
  anomaly: Float64Array;
  /** unweighted sweep value per row, in sorted order */
  unweighted: Float64Array;
  /** corpus-wide window id per row (−1 outside), in sorted order */
  window: Int32Array;
  /** number of corpus-wide window ids (scorable windows) */
  windowCount: number;
  /** non-probationary rows inside / outside windows */
  inside: number;
  outside: number;
}

export function prepareSweep(files: readonly ScoredFile[]): PreparedSweep {
  let total = 0;
  for (const { layout, anomaly } of files) {
    if (anomaly.length !== layout.rows) {
      throw new NabDataError(`${anomaly.length} anomaly scores for ${layout.rows} data rows`, layout.key);
    }
    total += layout.rows - layout.firstScored;
  }
  const anom = new Float64Array(total);
  const unw = new Float64Array(total);
  const win = new Int32Array(total);
  let k = 0;
  let windowBase = 0;
  let inside = 0;
  for (const { layout, anomaly } of files) {
    const ids = new Int32Array(layout.windows.length).fill(-1);
    for (let w = 0; w < ids.length; w++) if (layout.scorable[w]) ids[w] = windowBase++;
    for (let i = layout.firstScored; i < layout.rows; i++, k++) {
      const a = anomaly[i] as number;
      if (!(a >= 0 && a <= 1)) throw new NabDataError(`anomaly score ${a} at row ${i} is not in [0,1]`, layout.key);
      anom[k] = a;
      unw[k] = layout.unweighted[i] as number;
      const w = layout.window[i] as number;
      win[k] = w >= 0 ? (ids[w] as number) : -1;
      if (w >= 0) inside++;
    }
  }
  const order = new Uint32Array(total);
  for (let i = 0; i < total; i++) order[i] = i;
  order.sort((a, b) => (anom[b] as number) - (anom[a] as number) || a - b);
  const out: PreparedSweep = {
    anomaly: new Float64Array(total),
    unweighted: new Float64Array(total),
    window: new Int32Array(total),
    windowCount: windowBase,
    inside,
    outside: total - inside,
  };
  for (let j = 0; j < total; j++) {
    const i = order[j] as number;
    out.anomaly[j] = anom[i] as number;
    out.unweighted[j] = unw[i] as number;
    out.window[j] = win[i] as number;
  }
  return out;
}

/** NAB's `ThresholdScore`: the score and counts of detections `{anomaly >= threshold}`. */
export interface ThresholdRow {
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  total: number;
}

/** The sweep's rows as columns, thresholds decreasing from 1.1 (= no detections). */
export interface ThresholdCurve {
  length: number;
  threshold: Float64Array;
  score: Float64Array;
  tp: Int32Array;
  fp: Int32Array;
  inside: number;
  outside: number;
}

export function curveRow(curve: ThresholdCurve, j: number): ThresholdRow {
  const tp = curve.tp[j] as number;
  const fp = curve.fp[j] as number;
  const fn = curve.inside - tp;
  const tn = curve.outside - fp;
  return {
    threshold: curve.threshold[j] as number,
    score: curve.score[j] as number,
    tp,
    tn,
    fp,
    fn,
    total: tp + tn + fp + fn,
  };
}

/** Starting threshold: above every score, so nothing is detected. */
export const START_THRESHOLD = 1.1;

/** Rows already sorted by anomaly descending, with their weighted sweep scores. */
export interface WeightedRows {
  anomaly: ArrayLike<number>;
  /** weighted sweep score: TP reward inside a window, FP cost outside */
  sweep: ArrayLike<number>;
  /** window id 0..windowCount-1, or −1 outside */
  window: ArrayLike<number>;
  windowCount: number;
}

/**
 * NAB's `calcScoreByThreshold`: walk rows by decreasing anomaly; whenever the score changes, emit
 * the current total for the previous threshold, then switch the row on (FP: add its cost; TP: its
 * window keeps the max of −fnWeight and its detections). Starts at 1.1 (nothing detected). O(rows).
 */
export function sweepWeighted(rows: WeightedRows, fnWeight: number): ThresholdCurve {
  const n = rows.anomaly.length;
  const threshold = new Float64Array(n + 1);
  const score = new Float64Array(n + 1);
  const tpArr = new Int32Array(n + 1);
  const fpArr = new Int32Array(n + 1);
  const parts = new Float64Array(rows.windowCount).fill(-fnWeight);
  let inside = 0;
  for (let j = 0; j < n; j++) if ((rows.window[j] as number) >= 0) inside++;
  // running total with Neumaier compensation (NAB re-sums its parts at every threshold)
  let sum = -fnWeight * rows.windowCount;
  let comp = 0;
  const add = (x: number) => {
    const t = sum + x;
    comp += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  };
  let tp = 0;
  let fp = 0;
  let m = 0;
  let cur = START_THRESHOLD;
  const emit = () => {
    threshold[m] = cur;
    score[m] = sum + comp;
    tpArr[m] = tp;
    fpArr[m] = fp;
    m++;
  };
  for (let j = 0; j < n; j++) {
    const a = rows.anomaly[j] as number;
    if (a !== cur) {
      emit();
      cur = a;
    }
    const w = rows.window[j] as number;
    const s = rows.sweep[j] as number;
    if (w >= 0) {
      tp++;
      const old = parts[w] as number;
      if (s > old) {
        parts[w] = s;
        add(s - old);
      }
    } else {
      fp++;
      add(s);
    }
  }
  emit();
  return {
    length: m,
    threshold: threshold.subarray(0, m),
    score: score.subarray(0, m),
    tp: tpArr.subarray(0, m),
    fp: fpArr.subarray(0, m),
    inside,
    outside: n - inside,
  };
}

/** The sweep of prepared corpus rows under one profile. */
export function sweepCurve(prep: PreparedSweep, profile: Profile): ThresholdCurve {
  const n = prep.anomaly.length;
  const sweep = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const u = prep.unweighted[j] as number;
    sweep[j] = (prep.window[j] as number) >= 0 ? (u * profile.tpWeight) / MAX_TP : u * profile.fpWeight;
  }
  return sweepWeighted(
    { anomaly: prep.anomaly, sweep, window: prep.window, windowCount: prep.windowCount },
    profile.fnWeight,
  );
}

/**
 * NAB's optimiser (`optimizeThreshold`): the sweep row with the highest score; on ties the first
 * one, i.e. the highest threshold (stable sort by score, descending, take the first).
 */
export function bestRow(curve: ThresholdCurve): ThresholdRow {
  let best = 0;
  for (let j = 1; j < curve.length; j++) if ((curve.score[j] as number) > (curve.score[best] as number)) best = j;
  return curveRow(curve, best);
}

/**
 * NAB's `scoreDataSet` lookup: the row whose threshold equals t, else the row before the first
 * one below t (equivalent to detections `{anomaly >= t}`); if t is below every score, the last row.
 */
export function rowAtThreshold(curve: ThresholdCurve, t: number): ThresholdRow {
  for (let j = 0; j < curve.length; j++) {
    const th = curve.threshold[j] as number;
    if (th === t) return curveRow(curve, j);
    if (th < t) return curveRow(curve, Math.max(0, j - 1));
  }
  return curveRow(curve, curve.length - 1);
}

/** Sweeps and optimises in one go. */
export function optimizeThreshold(prep: PreparedSweep, profile: Profile): ThresholdRow {
  return bestRow(sweepCurve(prep, profile));
}

/** NAB's `AnomalyPoint`: window is a window name, null (outside) or 'probationary'. */
export interface AnomalyPoint {
  anomaly: number;
  sweepScore: number;
  window: string | null;
}

/**
 * NAB's `_prepAnomalyListForScoring` + `_prepareScoreByThresholdParts` on explicit points: drops
 * probationary points, sorts by anomaly descending (stable), names windows by first appearance.
 */
export function weightedRowsFromPoints(points: readonly AnomalyPoint[]): WeightedRows {
  const kept = points.filter((p) => p.window !== 'probationary');
  const order = kept.map((_, i) => i).sort((a, b) => kept[b]!.anomaly - kept[a]!.anomaly || a - b);
  const ids = new Map<string, number>();
  const window = new Int32Array(kept.length);
  const anomaly = new Float64Array(kept.length);
  const sweep = new Float64Array(kept.length);
  order.forEach((i, j) => {
    const p = kept[i] as AnomalyPoint;
    anomaly[j] = p.anomaly;
    sweep[j] = p.sweepScore;
    if (p.window === null) window[j] = -1;
    else {
      if (!ids.has(p.window)) ids.set(p.window, ids.size);
      window[j] = ids.get(p.window) as number;
    }
  });
  return { anomaly, sweep, window, windowCount: ids.size };
}
