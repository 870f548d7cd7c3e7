import { usable } from './calibrate.js';

/**
 * Record calibration: a residual is scored by how far it beats the largest residual of the same
 * sign the series has produced so far (its "record"), not by a Gaussian tail.
 *
 *   R = |r| / max(record, floor)          (scored only when |r| beats the record by more than floor)
 *   score = 1 − (R / margin)^−GAMMA       for R > margin, else 0
 *
 * so 0 = within what the series has already done, 0.5 = 20 % beyond its record (× margin),
 * 0.9 ≈ 83 % beyond, → 1 as R grows. Read on the common scale as p = (R/margin)^−GAMMA: the chance,
 * under a Pareto tail, that a new record beats the old one by that factor.
 *
 * Why: the Gaussian tail of a residual means different things on different series (heavy tails,
 * bursts, quantised values), and one global threshold has to serve them all. "Beyond anything this
 * series has done" is distribution-free and means the same on every series — on the NAB corpus it
 * lifts every residual model, with far fewer false alarms (bench/nab/EXPERIMENTS.md).
 *
 * Details:
 *  - the record of each sign is kept separately (a series that spikes up and never down must
 *    notice a dip); it decays with `halfLife` learnt points, so one huge incident does not blind
 *    the detector forever;
 *  - `warmup`: residuals learnt before records are scored (the record must mean something);
 *  - `settle`: a young record means little (a new extreme among 100 points is common), so the
 *    margin starts at (1 + settleMargin) × margin and relaxes linearly to the margin over the
 *    first `settle` residuals learnt;
 *  - `quiet`: a record set within `quiet` points of the previous record of the same sign scores as
 *    if it had only equalled it (0): a ramp or a sustained incident reports its onset, not every
 *    point of its climb;
 *  - `floor` (σ floor of the caller, relative to the level) keeps rounding jitter on a constant
 *    series from ever beating a record of 0.
 */

/** score of R = 1.2 × margin is 0.5 */
export const RECORD_GAMMA = Math.LN2 / Math.log(1.2);

/** Per-series fields of a record-calibrated detector (flat in its state). */
export interface RecordFields {
  /** record of positive / negative residuals (magnitudes) */
  ru: number;
  rd: number;
  /** residuals learnt (counted up to max(warmup, settle): the JSON stays short) */
  rn: number;
  /** learnt points since the last positive / negative record (counted up to `quiet`) */
  qu: number;
  qd: number;
}

export interface RecordOptions {
  margin: number;
  warmup: number;
  quiet: number;
  halfLife: number;
  settle: number;
  settleMargin: number;
}

/** fresh record fields; `quiet` as the initial counters (no previous record) */
export function recordInit(quiet = 1e9): RecordFields {
  return { ru: 0, rd: 0, rn: 0, qu: quiet, qd: quiet };
}

/** score on the common scale of R (ratio to the record, margin applied) */
export function scoreFromRatio(ratio: number): number {
  if (!(ratio > 1)) return 0;
  return 1 - ratio ** -RECORD_GAMMA;
}

/** ratio to the record whose score is `score` (inverse of scoreFromRatio) */
export function ratioFromScore(score: number): number {
  if (!(score > 0)) return 1;
  if (score >= 1) return Number.POSITIVE_INFINITY;
  return (1 - score) ** (-1 / RECORD_GAMMA);
}

export class RecordCalibration {
  readonly margin: number;
  readonly warmup: number;
  readonly quiet: number;
  private readonly decay: number;
  private readonly settle: number;
  private readonly settleMargin: number;
  /** residuals counted in the state: enough for the warm-up and the settling */
  private readonly cap: number;

  constructor(o: RecordOptions) {
    this.margin = o.margin;
    this.warmup = o.warmup;
    this.quiet = o.quiet;
    this.decay = o.halfLife > 0 ? 2 ** (-1 / o.halfLife) : 1;
    this.settle = o.settle;
    this.settleMargin = o.settleMargin;
    this.cap = Math.max(o.warmup, o.settle);
  }

  /** the margin after n values or residuals learnt (settling: larger while young) */
  marginAt(n: number): number {
    const st = this.settle;
    return n < st ? this.margin * (1 + this.settleMargin * (1 - n / st)) : this.margin;
  }

  /** fresh record fields */
  init(): RecordFields {
    return recordInit(this.quiet);
  }

  ready(s: RecordFields): boolean {
    return s.rn >= this.warmup;
  }

  /**
   * The score of residual r against the records (state before learning r). Only a strict record
   * scores — |r| beyond the record by more than `floor` (> 0, the caller's σ floor) — and not
   * within `quiet` points of the previous record of its sign.
   */
  score(s: RecordFields, r: number, floor: number): number {
    if (!(s.rn >= this.warmup) || !usable(r)) return 0;
    const up = r > 0;
    const a = up ? r : -r;
    const rec = up ? s.ru : s.rd;
    if (!(a - floor > rec) || (up ? s.qu : s.qd) < this.quiet - 1) return 0;
    return scoreFromRatio(a / (rec > floor ? rec : floor) / this.marginAt(s.rn));
  }

  /** learn residual r (after scoring it) */
  learn(s: RecordFields, r: number): void {
    if (!usable(r)) return;
    const d = this.decay;
    const a = r < 0 ? -r : r;
    let ru = s.ru * d;
    let rd = s.rd * d;
    // denormals and underflow: keep the JSON short and finite
    if (ru < 1e-300) ru = 0;
    if (rd < 1e-300) rd = 0;
    const q = this.quiet;
    if (r > 0 && a > ru) {
      ru = a;
      s.qu = 0;
    } else s.qu = s.qu >= q ? q : s.qu + 1;
    if (r < 0 && a > rd) {
      rd = a;
      s.qd = 0;
    } else s.qd = s.qd >= q ? q : s.qd + 1;
    s.ru = ru;
    s.rd = rd;
    s.rn = s.rn >= this.cap ? this.cap : s.rn + 1;
  }
}
