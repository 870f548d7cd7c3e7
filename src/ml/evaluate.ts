import { z } from 'zod';
import type { FaultSample } from '../contracts/samples.js';

export const EventStats = z.object({
  /** faults whose warning period lies in the evaluated data */
  faults: z.number().int(),
  /** faults alarmed in time (predictor: before they start; autoencoder: before they end) */
  detected: z.number().int(),
  /** alarm episodes (runs of consecutive alarming windows of one source) */
  alarms: z.number().int(),
  /** episodes that did not start within a fault's warning period (or, for anomalies, while its rows are in view) */
  falseAlarms: z.number().int(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  /** mean of (fault start − first alarm) over detected faults, ms; null when none detected */
  meanLeadTimeMs: z.number().nullable(),
  /** false alarm episodes per day of evaluated data, per source */
  falseAlarmsPerDay: z.number(),
});
export type EventStats = z.infer<typeof EventStats>;

export const EvalReport = z.object({
  /** decision threshold (predictor: calibrated probability; autoencoder: anomaly score) */
  threshold: z.number(),
  /** evaluated windows and (window, class) positives */
  windows: z.number().int(),
  positives: z.number().int(),
  /** window level, micro-averaged over classes */
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  /** area under the precision-recall curve (average precision) */
  prAuc: z.number(),
  events: EventStats,
  /** days of evaluated data summed over sources */
  days: z.number(),
});
export type EvalReport = z.infer<typeof EvalReport>;

export interface EvalInput {
  /** evaluated window indices (into ts/src), each source's in time order */
  idx: Int32Array;
  end: Float64Array;
  src: Int32Array;
  sources: readonly string[];
  /** idx.length × K scores (probabilities or anomaly scores), row j for window idx[j] */
  scores: Float32Array;
  /** idx.length × K window labels */
  labels: Float32Array;
  K: number;
  /** fault type of each class column; null = one column that matches any fault (autoencoder) */
  classes: readonly string[] | null;
  faults: ReadonlyMap<string, readonly FaultSample[]>;
  threshold: number;
  horizonMs: number;
  /** a fault counts as detected when alarmed before its start (predictor) or before its end (anomaly) */
  until: 'start' | 'end';
  /** an alarm up to this long after a fault ends (its rows still in the window) is not a false alarm */
  graceMs?: number;
}

const DAY = 86_400_000;

/** Average precision: Σ (R_k − R_{k−1}) · P_k over descending score thresholds (ties as one step). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  let total = 0;
  for (let i = 0; i < n; i++) if ((labels[i] as number) > 0.5) total++;
  if (total === 0) return 0;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let j = 0; j < n; ) {
    const s = scores[order[j] as number] as number;
    while (j < n && scores[order[j] as number] === s) {
      if ((labels[order[j] as number] as number) > 0.5) tp++;
      else fp++;
      j++;
    }
    const recall = tp / total;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}

const f1of = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

/**
 * Window-level precision/recall/F1/PR-AUC and event-level detection: recall of faults, precision of
 * alarm episodes, mean lead time and false alarms per day.
 */
export function evaluate(e: EvalInput): EvalReport {
  const { idx, K } = e;
  const n = idx.length;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let positives = 0;
  for (let j = 0; j < n * K; j++) {
    const pos = (e.labels[j] as number) > 0.5;
    const hit = (e.scores[j] as number) >= e.threshold;
    if (pos) positives++;
    if (pos && hit) tp++;
    else if (hit) fp++;
    else if (pos) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;

  // per source: evaluated windows in order and the period they cover
  const bySrc = new Map<number, number[]>();
  for (let j = 0; j < n; j++) {
    const s = e.src[idx[j] as number] as number;
    const list = bySrc.get(s);
    if (list) list.push(j);
    else bySrc.set(s, [j]);
  }
  let days = 0;
  let faults = 0;
  let detected = 0;
  let alarms = 0;
  let falseAlarms = 0;
  let leadSum = 0;
  for (const [s, rows] of bySrc) {
    const ts = (j: number) => e.end[idx[j] as number] as number;
    const first = ts(rows[0] as number);
    const last = ts(rows[rows.length - 1] as number);
    days += (last - first) / DAY;
    const srcFaults = e.faults.get(e.sources[s] as string) ?? [];
    for (let k = 0; k < K; k++) {
      const cls = e.classes ? e.classes[k] : null;
      const relevant = srcFaults.filter((f) => cls === null || f.type === cls);
      const warnEnd = (f: FaultSample) => (e.until === 'start' ? f.start : f.end);
      const grace = e.graceMs ?? 0;
      const inWarning = (t: number) =>
        relevant.some((f) => t >= f.start - e.horizonMs && (e.until === 'start' ? t < f.start : t <= f.end + grace));
      // alarm episodes
      let prevAlarm = false;
      let prevJ = -1;
      for (const j of rows) {
        const alarm = (e.scores[j * K + k] as number) >= e.threshold;
        const contiguous = prevJ >= 0 && idx[j] === (idx[prevJ] as number) + 1;
        if (alarm && !(prevAlarm && contiguous)) {
          alarms++;
          if (!inWarning(ts(j))) falseAlarms++;
        }
        prevAlarm = alarm;
        prevJ = j;
      }
      // faults whose whole warning period lies in the evaluated span
      for (const f of relevant) {
        if (f.start - e.horizonMs < first || f.start > last) continue;
        faults++;
        for (const j of rows) {
          const t = ts(j);
          if (t < f.start - e.horizonMs) continue;
          if (t > warnEnd(f) || (e.until === 'start' && t >= f.start)) break;
          if ((e.scores[j * K + k] as number) >= e.threshold) {
            detected++;
            leadSum += f.start - t;
            break;
          }
        }
      }
    }
  }
  const ePrecision = alarms > 0 ? (alarms - falseAlarms) / alarms : 0;
  const eRecall = faults > 0 ? detected / faults : 0;
  return {
    threshold: e.threshold,
    windows: n,
    positives,
    precision,
    recall,
    f1: f1of(precision, recall),
    prAuc: averagePrecision(e.scores, e.labels),
    events: {
      faults,
      detected,
      alarms,
      falseAlarms,
      precision: ePrecision,
      recall: eRecall,
      f1: f1of(ePrecision, eRecall),
      meanLeadTimeMs: detected > 0 ? leadSum / detected : null,
      falseAlarmsPerDay: days > 0 ? falseAlarms / days : 0,
    },
    days,
  };
}
