import { BAND_Z, sigmaFloor, usable } from './calibrate.js';
import type { HoltConfig } from './config.js';
import type { Detector } from './detector.js';
import { DetectorOut, ewAlpha } from './output.js';
import { RecordCalibration, type RecordFields } from './record.js';
import { learnTail, tailScore } from './tail.js';

/** Residuals beyond this many σ are clipped before the model learns from them (Huber-style). */
const CLIP = 4;
/** this many consecutive outliers on one side are a level shift: the level restarts at the value */
const SHIFT_RUN = 2;

/** Per-series state: count, Holt level and trend, EW variance of the one-step residual. */
export interface HoltState {
  n: number;
  l: number;
  t: number;
  v: number;
  /** consecutive residuals beyond ±4σ: +k above, −k below */
  o: number;
  /** heavy-tail guard (tail.ts) */
  e: number;
  g: number;
  q: number;
  /** with `calibrate: record`: the records of the residual (record.ts) */
  r?: RecordFields;
}

/**
 * Holt's linear (level + trend) one-step forecast; the residual x − (level + trend) is scored
 * against an exponentially weighted residual variance (memory `halfLife` points).
 * Once ready, the residual the model learns from is clipped at ±4σ, so a spike neither drags
 * the forecast nor inflates σ.
 * Two consecutive outliers on the same side are a level shift, not a spike: the level restarts at
 * the value (trend 0), so a step stops alarming after two points. Scores are guarded by the
 * series' own tail (tail.ts) — or, with `calibrate: record`, the one-step residual is scored against
 * the series' own record residuals (record.ts). Timestamps are not used.
 */
export class HoltDetector implements Detector<HoltState> {
  readonly kind = 'holt';
  readonly name: string;
  private readonly alpha: number;
  private readonly beta: number;
  private readonly a: number;
  private readonly warmup: number;
  private readonly rec: RecordCalibration | null;
  private readonly out = new DetectorOut();

  constructor(cfg: HoltConfig) {
    this.name = cfg.name ?? 'holt';
    this.alpha = cfg.alpha;
    this.beta = cfg.beta;
    this.a = ewAlpha(cfg.halfLife);
    this.warmup = Math.max(3, cfg.warmup);
    this.rec = cfg.calibrate === 'record' ? new RecordCalibration(cfg.record) : null;
  }

  init(): HoltState {
    const s: HoltState = { n: 0, l: 0, t: 0, v: 0, o: 0, e: 0, g: 0, q: 0 };
    if (this.rec) s.r = this.rec.init();
    return s;
  }

  update(s: HoltState, _ts: number, x: number): DetectorOut {
    const o = this.out;
    const n = s.n;
    const f = s.l + s.t;
    const sigma = n > 1 ? Math.max(Math.sqrt(s.v), sigmaFloor(f)) : Number.NaN;
    const rec = this.rec;
    const modelReady = n >= this.warmup;
    const ready = modelReady && (rec === null || rec.ready(s.r as RecordFields));
    if (!usable(x)) return o.idle(ready ? 'ready' : 'learning', n > 0 ? f : Number.NaN, BAND_Z * sigma);
    o.newLevel = Number.NaN;
    if (n === 0) {
      s.l = x;
      s.t = 0;
      s.v = 0;
      s.n = 1;
      o.score = 0;
      o.z = 0;
      o.expected = Number.NaN;
      o.spread = Number.NaN;
      o.status = 'learning';
      return o;
    }
    let r = x - f;
    if (modelReady) {
      const z = r / sigma;
      if (rec !== null) {
        const rs = s.r as RecordFields;
        o.score = ready ? rec.score(rs, r, sigmaFloor(f)) : 0;
        rec.learn(rs, r);
      } else {
        o.score = tailScore(s, z);
        learnTail(s, z);
      }
      o.z = ready ? z : 0;
      o.status = ready ? 'ready' : 'learning';
      const c = CLIP * sigma;
      if (r > c) {
        s.o = s.o > 0 ? s.o + 1 : 1;
        r = c;
      } else if (r < -c) {
        s.o = s.o < 0 ? s.o - 1 : -1;
        r = -c;
      } else s.o = 0;
    } else {
      o.score = 0;
      o.z = 0;
      o.status = 'learning';
    }
    o.expected = f;
    o.spread = BAND_Z * sigma;
    if (s.o >= SHIFT_RUN || s.o <= -SHIFT_RUN) {
      // a run of outliers on one side is a level shift, not a spike: restart the level here
      s.l = x;
      s.t = 0;
      s.o = 0;
    } else {
      // learn from the (clipped) residual
      const l = f + this.alpha * r;
      s.t = this.beta * (l - s.l) + (1 - this.beta) * s.t;
      s.l = l;
    }
    const a = Math.max(1 / n, this.a);
    s.v = s.v + a * (r * r - s.v);
    s.n = n >= 1e9 ? 1e9 : n + 1;
    return o;
  }
}
