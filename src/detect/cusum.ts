import { BAND_Z, scoreFromLogP, sigmaFloor, usable } from './calibrate.js';
import type { CusumConfig } from './config.js';
import type { Detector } from './detector.js';
import { DetectorOut, ewAlpha } from './output.js';

/** Standardised values are winsorised at ±UMAX σ: one outlier alone can never make a change-point. */
const UMAX = 4;
/** cap of the lag-1 autocorrelation used to widen σ (σ·√((1+ρ)/(1−ρ)) ≤ ≈10σ) */
const RHO_MAX = 0.98;

/**
 * ln p of a two-sided CUSUM statistic S with slack k (σ units): p = 1 / ARL₀(S), the rate at
 * which an in-control chart with decision interval S would signal, from Siegmund's approximation
 * ARL₀(h) ≈ (e^{2k(h+1.166)} − 2k(h+1.166) − 1) / (2k²) per side (→ (h+1.166)² as k → 0),
 * halved for two sides. So the CUSUM score means what a point score means: how often such
 * evidence appears in normal data (S = 10, k = 0.5 → p ≈ 1.4e-5 → score ≈ 0.49).
 */
export function cusumLogP(S: number, k: number): number {
  const hh = S + 1.166;
  let lnArl: number;
  if (k < 1e-6) lnArl = 2 * Math.log(hh);
  else {
    const x = 2 * k * hh;
    const num = x < 30 ? Math.log(Math.expm1(x) - x) : x + Math.log1p(-(x + 1) * Math.exp(-x));
    lnArl = num - Math.log(2 * k * k);
  }
  const lnp = Math.LN2 - lnArl;
  return Math.min(lnp, 0);
}

/**
 * Per-series state: EW baseline mean/variance; the upper and lower CUSUM sums, and for each the
 * length and raw sum of its current run (the post-change mean estimate).
 */
export interface CusumState {
  n: number;
  m: number;
  v: number;
  sp: number;
  sn: number;
  np: number;
  nn: number;
  xp: number;
  xn: number;
  /** previous deviation from the baseline, and the EW lag-1 autocovariance */
  dp: number;
  c: number;
}

/**
 * Two-sided CUSUM change-point detector on standardised values u = (x − m)/σ_LR (winsorised at ±4),
 * where σ_LR = σ·√((1+ρ)/(1−ρ)) is the long-run σ of an AR(1) series with lag-1 autocorrelation ρ
 * (estimated online, 0 ≤ ρ ≤ 0.98): sums of serially correlated values wander further than
 * sums of independent ones, and without this a smooth or seasonal series "changes" every day.
 * S⁺ = max(0, S⁺ + u − k), S⁻ = max(0, S⁻ − u − k). When either reaches `h` a change is declared:
 * the baseline jumps to the mean of the run that crossed (the new normal), both sums reset, and
 * `newLevel` tells the ensemble so slow detectors can rebase too — a new normal stops alarming.
 * The score is the calibrated evidence of a sustained shift (see cusumLogP), `z` the point's own
 * deviation from the baseline in point σ. An isolated spike is deliberately not a change (winsorised), so
 * CUSUM adds sustained small shifts to what the point detectors see. Timestamps are not used.
 */
export class CusumDetector implements Detector<CusumState> {
  readonly kind = 'cusum';
  readonly name: string;
  private readonly k: number;
  private readonly h: number;
  private readonly a: number;
  private readonly warmup: number;
  private readonly out = new DetectorOut();
  /** score of S on [0, h + UMAX] by steps of 1/64 (linear interpolation; exact beyond) */
  private readonly table: Float64Array;

  constructor(cfg: CusumConfig) {
    this.name = cfg.name ?? 'cusum';
    this.k = cfg.k;
    this.h = cfg.h;
    this.a = ewAlpha(cfg.halfLife);
    this.warmup = Math.max(2, cfg.warmup);
    const n = Math.ceil((cfg.h + UMAX) * 64) + 2;
    this.table = new Float64Array(n).map((_, i) => scoreFromLogP(cusumLogP(i / 64, cfg.k)));
  }

  /** calibrated score of the CUSUM statistic S >= 0 */
  scoreOf(S: number): number {
    const x = S * 64;
    const i = x | 0;
    if (i >= this.table.length - 1) return scoreFromLogP(cusumLogP(S, this.k));
    const lo = this.table[i] as number;
    return lo + (x - i) * ((this.table[i + 1] as number) - lo);
  }

  init(): CusumState {
    return { n: 0, m: 0, v: 0, sp: 0, sn: 0, np: 0, nn: 0, xp: 0, xn: 0, dp: 0, c: 0 };
  }

  update(s: CusumState, _ts: number, x: number): DetectorOut {
    const o = this.out;
    const n = s.n;
    const sd = Math.sqrt(s.v);
    let rho = s.v > 0 ? s.c / s.v : 0;
    rho = rho > RHO_MAX ? RHO_MAX : Math.max(rho, 0);
    const sigma = n > 0 ? Math.max(sd * Math.sqrt((1 + rho) / (1 - rho)), sigmaFloor(s.m)) : Number.NaN;
    const ready = n >= this.warmup;
    if (!usable(x)) return o.idle(ready ? 'ready' : 'learning', n > 0 ? s.m : Number.NaN, BAND_Z * sigma);
    o.expected = n > 0 ? s.m : Number.NaN;
    o.spread = BAND_Z * sigma;
    o.newLevel = Number.NaN;
    let d = x - s.m;
    if (!ready) {
      o.score = 0;
      o.z = 0;
      o.status = 'learning';
    } else {
      const u = d / sigma;
      const uc = u > UMAX ? UMAX : Math.max(u, -UMAX);
      const k = this.k;
      let sp = s.sp + uc - k;
      let sn = s.sn - uc - k;
      if (sp > 0) {
        s.np++;
        s.xp += x;
      } else {
        sp = 0;
        s.np = 0;
        s.xp = 0;
      }
      if (sn > 0) {
        s.nn++;
        s.xn += x;
      } else {
        sn = 0;
        s.nn = 0;
        s.xn = 0;
      }
      const S = Math.max(sp, sn);
      o.score = S > 0 ? this.scoreOf(S) : 0;
      o.z = d / Math.max(sd, sigmaFloor(s.m));
      o.status = 'ready';
      if (S >= this.h) {
        // change-point: the new normal is the mean of the run that crossed
        const level = sp >= sn ? s.xp / s.np : s.xn / s.nn;
        s.m = level;
        s.sp = 0;
        s.sn = 0;
        s.np = 0;
        s.nn = 0;
        s.xp = 0;
        s.xn = 0;
        o.newLevel = level;
        s.dp = x - level;
        s.n = n >= 1e9 ? 1e9 : n + 1;
        return o;
      }
      s.sp = sp;
      s.sn = sn;
      d = uc * sigma;
    }
    const nn = n + 1;
    const a = Math.max(1 / nn, this.a);
    if (n > 0) s.c = s.c + a * (d * s.dp - s.c);
    s.m = s.m + a * d;
    s.v = (1 - a) * (s.v + a * d * d);
    s.dp = x - s.m;
    s.n = Math.min(nn, 1e9);
    return o;
  }
}
