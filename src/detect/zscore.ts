import { BAND_Z, sigmaFloor, usable } from './calibrate.js';
import type { ZScoreConfig } from './config.js';
import type { Detector } from './detector.js';
import { DetectorOut, ewAlpha } from './output.js';
import { RecordCalibration, type RecordFields } from './record.js';
import { learnTail, tailScore } from './tail.js';

/**
 * Per-series state: count, exponentially weighted mean and (population) variance; with
 * `calibrate: record`, also the records of the residual (record.ts).
 */
export interface ZScoreState {
  n: number;
  m: number;
  v: number;
  /** heavy-tail guard (tail.ts) */
  e: number;
  g: number;
  q: number;
  /** with `calibrate: record`: the records of the residual (record.ts) */
  r?: RecordFields;
}

/**
 * Rolling z-score with exponentially weighted mean/variance (West's incremental EW update).
 * The first points use weight max(1/n, α), i.e. exact Welford running mean/variance, so the
 * estimates are unbiased from the start; after that the memory is `halfLife` points.
 * Learning for `warmup` points. A level shift inflates the variance and so stops alarming within
 * a few points; CUSUM's rebase moves the mean to the new level directly.
 * Scores are guarded by the series' own tail (tail.ts) — or, with `calibrate: record`, the residual
 * x − mean is scored against the series' own record residuals (record.ts; the detector stays
 * `learning` until `record.warmup` residuals are learnt).
 * Timestamps are not used (order of arrival is the order of learning).
 */
export class ZScoreDetector implements Detector<ZScoreState> {
  readonly kind = 'zscore';
  readonly name: string;
  private readonly alpha: number;
  private readonly warmup: number;
  private readonly rec: RecordCalibration | null;
  private readonly out = new DetectorOut();

  constructor(cfg: ZScoreConfig) {
    this.name = cfg.name ?? 'zscore';
    this.alpha = ewAlpha(cfg.halfLife);
    this.warmup = Math.max(2, cfg.warmup);
    this.rec = cfg.calibrate === 'record' ? new RecordCalibration(cfg.record) : null;
  }

  init(): ZScoreState {
    const s: ZScoreState = { n: 0, m: 0, v: 0, e: 0, g: 0, q: 0 };
    if (this.rec) s.r = this.rec.init();
    return s;
  }

  update(s: ZScoreState, _ts: number, x: number): DetectorOut {
    const o = this.out;
    const n = s.n;
    const sigma = n > 0 ? Math.max(Math.sqrt(s.v), sigmaFloor(s.m)) : Number.NaN;
    const rec = this.rec;
    const modelReady = n >= this.warmup;
    const ready = modelReady && (rec === null || rec.ready(s.r as RecordFields));
    if (!usable(x)) return o.idle(ready ? 'ready' : 'learning', n > 0 ? s.m : Number.NaN, BAND_Z * sigma);
    const d = x - s.m;
    if (rec !== null && modelReady) {
      const rs = s.r as RecordFields;
      o.score = ready ? rec.score(rs, d, sigmaFloor(s.m)) : 0;
      rec.learn(rs, d);
      o.z = ready ? d / sigma : 0;
      o.status = ready ? 'ready' : 'learning';
    } else if (ready) {
      const z = d / sigma;
      o.score = tailScore(s, z);
      learnTail(s, z);
      o.z = z;
      o.status = 'ready';
    } else {
      o.score = 0;
      o.z = 0;
      o.status = 'learning';
    }
    o.expected = n > 0 ? s.m : Number.NaN;
    o.spread = BAND_Z * sigma;
    o.newLevel = Number.NaN;
    // learn
    const nn = n + 1;
    const a = Math.max(1 / nn, this.alpha);
    s.m = s.m + a * d;
    s.v = (1 - a) * (s.v + a * d * d);
    s.n = Math.min(nn, 1e9);
    return o;
  }

  rebase(s: ZScoreState, _ts: number, level: number): void {
    if (s.n > 0 && usable(level)) s.m = level;
  }
}
