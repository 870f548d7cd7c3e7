import { BAND_Z, sigmaFloor, usable } from './calibrate.js';
import type { SeasonalConfig } from './config.js';
import type { Detector } from './detector.js';
import { DetectorOut } from './output.js';
import { RecordCalibration, type RecordFields } from './record.js';
import { learnTail, tailScore } from './tail.js';

const DAY = 86_400_000;
const PERIODS = { daily: DAY, weekly: 7 * DAY } as const;
/** residuals clipped at ±CLIP σ before learning, once ready */
const CLIP = 4;
/** pseudo-weight of the global residual variance in each bin's variance (shrinkage prior) */
const PRIOR_W = 5;
/** a bin with less (decayed) weight than this is not scored */
const MIN_BIN_W = 0.5;
/** this many consecutive outliers on one side are a new level: the level jumps to explain the value */
const SHIFT_RUN = 3;

/**
 * Per-series state, bounded by `bins`: first and last learnt ts, cycle number of the last decay,
 * the level `l`, per bin the decayed weight `w`, mean offset from the level `m` and variance `v`,
 * and a global residual variance `gv` with its weight `gw` (the prior of every bin's variance).
 */
export interface SeasonalState {
  n: number;
  t0: number;
  tl: number;
  cyc: number;
  l: number;
  gw: number;
  gv: number;
  /** consecutive residuals beyond ±4σ: +k above, −k below */
  o: number;
  /** heavy-tail guard (tail.ts) */
  e: number;
  g: number;
  q: number;
  /** with `calibrate: record`: the records of the residual (record.ts) */
  r?: RecordFields;
  w: number[];
  m: number[];
  v: number[];
}

/**
 * Seasonal profile, additive: x ≈ level + profile[bin(ts)], bins of time of day (daily) or of
 * the week (weekly), in UTC from the data's `ts` (epoch ms). The level is an EW average of the
 * de-seasonalised value with a data-time half-life (default period/4), so level shifts are
 * absorbed — and three consecutive outliers on one side (beyond ±4σ) move the level at once, as
 * does a CUSUM rebase; each bin's offset and residual variance are averages
 * weighted by data-time age (half-life `halfLife`, decayed once per cycle), the variance shrunk
 * towards the global residual variance when a bin has few points.
 *
 * Scores are guarded by the series' own tail (tail.ts) — or, with `calibrate: record`, the residual
 * is scored against the series' own record residuals (record.ts).
 *
 * Status is `learning` until `minCycles` whole periods of data have been learnt (and for a point
 * whose bin has no recent data). Policy for time order: a point whose ts is earlier than the
 * last learnt ts is scored but not learnt; a repeated ts is learnt (it does not move the level).
 * A non-finite ts is treated like a missing value.
 */
export class SeasonalDetector implements Detector<SeasonalState> {
  readonly kind = 'seasonal';
  readonly name: string;
  private readonly period: number;
  private readonly bins: number;
  private readonly binWidth: number;
  private readonly minSpan: number;
  private readonly halfLife: number;
  private readonly levelHalfLife: number;
  private readonly cycleDecay: number;
  private readonly rec: RecordCalibration | null;
  private readonly out = new DetectorOut();
  /** memo of the decay factors for the last time step (pure function of dt: state-independent) */
  private memoDt = Number.NaN;
  private memoGlobal = 1;
  private memoLevel = 0;

  constructor(cfg: SeasonalConfig) {
    this.name = cfg.name ?? 'seasonal';
    this.period = PERIODS[cfg.period];
    this.bins = cfg.bins;
    this.binWidth = this.period / cfg.bins;
    this.minSpan = cfg.minCycles * this.period;
    this.halfLife = Math.max(1, cfg.halfLife);
    this.levelHalfLife = Math.max(1, cfg.levelHalfLife ?? this.period / 4);
    this.cycleDecay = 2 ** (-this.period / this.halfLife);
    this.rec = cfg.calibrate === 'record' ? new RecordCalibration(cfg.record) : null;
  }

  init(): SeasonalState {
    const z = () => new Array<number>(this.bins).fill(0);
    const s: SeasonalState = {
      n: 0,
      t0: 0,
      tl: 0,
      cyc: 0,
      l: 0,
      gw: 0,
      gv: 0,
      o: 0,
      e: 0,
      g: 0,
      q: 0,
      w: z(),
      m: z(),
      v: z(),
    };
    if (this.rec) s.r = this.rec.init();
    return s;
  }

  private bin(ts: number): number {
    let ph = ts % this.period;
    if (ph < 0) ph += this.period;
    const b = Math.floor(ph / this.binWidth);
    return b < this.bins ? b : this.bins - 1;
  }

  update(s: SeasonalState, ts: number, x: number): DetectorOut {
    const o = this.out;
    o.newLevel = Number.NaN;
    if (s.n === 0) {
      if (!usable(x) || !usable(ts)) return o.idle('learning', Number.NaN, Number.NaN);
      s.t0 = ts;
      s.tl = ts;
      s.cyc = Math.floor(ts / this.period);
      s.l = x;
      s.gw = 1;
      s.gv = 0;
      const b = this.bin(ts);
      s.w[b] = 1;
      s.n = 1;
      return o.idle('learning', Number.NaN, Number.NaN);
    }
    const rec = this.rec;
    const recReady = rec === null || rec.ready(s.r as RecordFields);
    if (!usable(ts)) {
      return o.idle(s.tl - s.t0 >= this.minSpan && recReady ? 'ready' : 'learning', Number.NaN, Number.NaN);
    }
    const b = this.bin(ts);
    const wb = s.w[b] as number;
    const mb = s.m[b] as number;
    const expected = s.l + mb;
    const ve = (wb * (s.v[b] as number) + PRIOR_W * s.gv) / (wb + PRIOR_W);
    const fl = sigmaFloor(expected);
    const sigma = ve > fl * fl ? Math.sqrt(ve) : fl;
    const modelReady = s.tl - s.t0 >= this.minSpan && wb >= MIN_BIN_W;
    const ready = modelReady && recReady;
    if (!usable(x)) return o.idle(ready ? 'ready' : 'learning', expected, BAND_Z * sigma);
    let r = x - expected;
    if (modelReady) {
      const z = r / sigma;
      const learns = ts >= s.tl;
      if (rec !== null) {
        const rs = s.r as RecordFields;
        o.score = ready ? rec.score(rs, r, fl) : 0;
        if (learns) rec.learn(rs, r);
      } else {
        o.score = tailScore(s, z);
        if (learns) learnTail(s, z);
      }
      o.z = ready ? z : 0;
      o.status = ready ? 'ready' : 'learning';
      const c = CLIP * sigma;
      if (r > c) {
        if (learns) s.o = s.o > 0 ? s.o + 1 : 1;
        r = c;
      } else if (r < -c) {
        if (learns) s.o = s.o < 0 ? s.o - 1 : -1;
        r = -c;
      } else if (learns) s.o = 0;
    } else {
      o.score = 0;
      o.z = 0;
      o.status = 'learning';
    }
    o.expected = expected;
    o.spread = BAND_Z * sigma;
    if (ts >= s.tl) {
      this.learn(s, ts, b, expected + r);
      if (s.o >= SHIFT_RUN || s.o <= -SHIFT_RUN) {
        s.l = x - (s.m[b] as number);
        s.o = 0;
      }
    }
    return o;
  }

  /** learn the (clipped) value xc at ts, bin b */
  private learn(s: SeasonalState, ts: number, b: number, xc: number): void {
    const cyc = Math.floor(ts / this.period);
    if (cyc > s.cyc) {
      const f = cyc - s.cyc === 1 ? this.cycleDecay : 2 ** (-((cyc - s.cyc) * this.period) / this.halfLife);
      const w = s.w;
      for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) * f;
      s.cyc = cyc;
    }
    const dt = ts - s.tl;
    // profile: offset of the value from the level, weighted by data-time age
    const w = (s.w[b] as number) + 1;
    const mb = s.m[b] as number;
    const delta = xc - s.l - mb;
    const nm = mb + delta / w;
    s.w[b] = w;
    s.m[b] = nm;
    s.v[b] = (1 - 1 / w) * ((s.v[b] as number) + (delta * delta) / w);
    // global residual variance (prior of the bins' variances)
    const r = xc - s.l - mb;
    if (dt !== this.memoDt) {
      this.memoDt = dt;
      this.memoGlobal = 2 ** (-dt / this.halfLife);
      this.memoLevel = 1 - 2 ** (-dt / this.levelHalfLife);
    }
    const gw = s.gw * this.memoGlobal + 1;
    s.gw = gw;
    s.gv = s.gv + (r * r - s.gv) / gw;
    // level: EW average of the de-seasonalised value, data-time half-life
    if (dt > 0) s.l = s.l + this.memoLevel * (xc - nm - s.l);
    s.tl = ts;
    s.n = s.n >= 1e9 ? 1e9 : s.n + 1;
  }

  rebase(s: SeasonalState, ts: number, level: number): void {
    if (s.n === 0 || !usable(level) || !usable(ts)) return;
    s.l = level - (s.m[this.bin(ts)] as number);
  }
}
