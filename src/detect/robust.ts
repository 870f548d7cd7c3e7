import { BAND_Z, logTailP, scoreFromLogP, sigmaFloor, usable } from './calibrate.js';
import type { RobustConfig } from './config.js';
import type { Detector } from './detector.js';
import { DetectConfigError } from './errors.js';
import { DetectorOut } from './output.js';
import { RecordCalibration, type RecordFields } from './record.js';
import { learnTail, tailScore } from './tail.js';

/** σ of a normal distribution per unit of median absolute deviation. */
const MAD_TO_SIGMA = 1.4826;

/**
 * Per-series state: the last `window` values in arrival order (a ring: `buf`, `len` filled, next
 * slot `head`) and `ord`, the ring's slot numbers sorted by value — small integers, so the sorted view costs
 * a few bytes in JSON instead of a second copy of the values.
 */
export interface RobustState {
  n: number;
  /** values held (≤ window); buf/ord are allocated at full length up front */
  len: number;
  head: number;
  buf: number[];
  ord: number[];
  /** heavy-tail guard (tail.ts) */
  e: number;
  g: number;
  q: number;
  /** with `calibrate: record`: the records of the residual (record.ts) */
  r?: RecordFields;
  /** with `short`: the slots of the last `short.window` values sorted by value, and their records */
  so?: number[];
  sr?: RecordFields;
}

/**
 * Rolling median / MAD over a bounded window: z = (x − median) / (1.4826·MAD).
 * The window is kept sorted incrementally (binary search, then one shift of slot indices); the MAD is the
 * k-th smallest of two sorted runs walked outward from the median, found by binary search — no
 * allocation per point.
 * When the MAD collapses (more than half the window on one value) σ falls back to the window's
 * standard deviation, and never below a floor relative to the median, so a constant series never
 * alarms and quantised series (mostly 0, some 1) are not scored as if their σ were 0.
 * Rank guard: the Gaussian tail is capped by the window's own evidence — if c window values already
 * deviate at least as much, p >= c/(window+1) — so a series with recurring bursts (bimodal CPU,
 * periodic spikes) is not scored as if each burst were a first. A level shift stops alarming once
 * the window holds a few points past it. Scores are also guarded by the series' longer-term tail
 * (tail.ts). With `calibrate: record` the residual x − median is scored against the series' own
 * record residuals instead (record.ts). With `short` (record calibration only), the residual from
 * the median of the last `short.window` values of the same ring is scored too, against its own
 * records and margin, and the detector reports the higher of the two — a second, faster view
 * for the cost of a few small integers of state. Timestamps are not used.
 */
export class RobustDetector implements Detector<RobustState> {
  readonly kind = 'robust';
  readonly name: string;
  private readonly window: number;
  private readonly warmup: number;
  private readonly rec: RecordCalibration | null;
  /** the short view: its window (0 = none) and its records' calibration */
  private readonly sk: number;
  private readonly srec: RecordCalibration | null;
  private readonly out = new DetectorOut();

  constructor(cfg: RobustConfig) {
    this.name = cfg.name ?? 'robust';
    this.window = cfg.window;
    this.warmup = Math.max(3, Math.min(cfg.warmup, cfg.window));
    this.rec = cfg.calibrate === 'record' ? new RecordCalibration(cfg.record) : null;
    const short = cfg.short;
    if (short !== undefined && this.rec === null) {
      throw new DetectConfigError(`robust '${this.name}': 'short' needs calibrate: record`);
    }
    if (short !== undefined && short.window >= cfg.window) {
      throw new DetectConfigError(`robust '${this.name}': short.window must be smaller than window (${cfg.window})`);
    }
    this.sk = short?.window ?? 0;
    this.srec = short !== undefined ? new RecordCalibration({ ...cfg.record, margin: short.margin }) : null;
  }

  init(): RobustState {
    const w = this.window;
    const s: RobustState = {
      n: 0,
      len: 0,
      head: 0,
      buf: new Array<number>(w).fill(0),
      ord: new Array<number>(w).fill(0),
      e: 0,
      g: 0,
      q: 0,
    };
    if (this.rec) s.r = this.rec.init();
    if (this.sk > 0) {
      s.so = new Array<number>(this.sk).fill(0);
      s.sr = (this.srec as RecordCalibration).init();
    }
    return s;
  }

  update(s: RobustState, _ts: number, x: number): DetectorOut {
    const o = this.out;
    const buf = s.buf;
    const ord = s.ord;
    const len = s.len;
    const rec = this.rec;
    const modelReady = s.n >= this.warmup && len >= 3;
    const ready = modelReady && (rec === null || rec.ready(s.r as RecordFields));
    let med = Number.NaN;
    let sigma = Number.NaN;
    if (len > 0) {
      const lo = (len - 1) >> 1;
      const hi = len >> 1;
      med = ((buf[ord[lo]!] as number) + (buf[ord[hi]!] as number)) / 2;
      if (modelReady) sigma = this.sigma(buf, ord, len, lo, hi, med);
    }
    if (!usable(x)) return o.idle(ready ? 'ready' : 'learning', med, BAND_Z * sigma);
    if (rec !== null && modelReady) {
      const rs = s.r as RecordFields;
      const d = x - med;
      let score = ready ? rec.score(rs, d, sigmaFloor(med)) : 0;
      rec.learn(rs, d);
      let z = d / sigma;
      const srec = this.srec;
      if (srec !== null && s.so !== undefined && s.sr !== undefined) {
        // the short view: median of the last min(len, sk) values
        const sl = len < this.sk ? len : this.sk;
        const so = s.so;
        const m2 = ((buf[so[(sl - 1) >> 1]!] as number) + (buf[so[sl >> 1]!] as number)) / 2;
        const d2 = x - m2;
        const s2 = ready && srec.ready(s.sr) ? srec.score(s.sr, d2, sigmaFloor(m2)) : 0;
        srec.learn(s.sr, d2);
        if (s2 > score) {
          score = s2;
          z = d2 / sigma;
        }
      }
      o.score = score;
      o.z = ready ? z : 0;
      o.status = ready ? 'ready' : 'learning';
    } else if (ready) {
      const z = (x - med) / sigma;
      let score = tailScore(s, z);
      learnTail(s, z);
      // rank guard: a deviation the window already holds c times is at most that rare
      if (score > -Math.log10(1 / (len + 1)) / 10) {
        const c = this.asExtreme(buf, ord, len, med, Math.abs(x - med));
        if (c > 0) {
          const lnp = Math.max(logTailP(z), Math.log(c / (len + 1)));
          score = scoreFromLogP(lnp);
        }
      }
      o.score = score;
      o.z = z;
      o.status = 'ready';
    } else {
      o.score = 0;
      o.z = 0;
      o.status = 'learning';
    }
    o.expected = med;
    o.spread = BAND_Z * sigma;
    o.newLevel = Number.NaN;
    this.learn(s, x);
    return o;
  }

  /** robust σ of the sorted window */
  private sigma(buf: number[], ord: number[], len: number, lo: number, hi: number, med: number): number {
    // MAD = the lo-th (and hi-th) smallest |a − med|. The deviations form two sorted runs walked
    // outward from the median, A[p] = med − a[lo − p] and B[q] = a[lo + 1 + q] − med; the k-th
    // smallest of two sorted runs is found by binary search on how many come from A (O(log n)).
    const nA = lo + 1;
    const nB = len - lo - 1;
    const need = lo + 1;
    let iLo = Math.max(need - nB, 0);
    let iHi = Math.min(need, nA);
    let d1 = 0;
    let d2 = 0;
    while (iLo <= iHi) {
      const i = (iLo + iHi) >> 1;
      const j = need - i;
      const aPrev = i > 0 ? med - (buf[ord[lo - i + 1]!] as number) : Number.NEGATIVE_INFINITY;
      const aCur = i < nA ? med - (buf[ord[lo - i]!] as number) : Number.POSITIVE_INFINITY;
      const bPrev = j > 0 ? (buf[ord[lo + j]!] as number) - med : Number.NEGATIVE_INFINITY;
      const bCur = j < nB ? (buf[ord[lo + 1 + j]!] as number) - med : Number.POSITIVE_INFINITY;
      if (aPrev > bCur) iHi = i - 1;
      else if (bPrev > aCur) iLo = i + 1;
      else {
        d1 = Math.max(aPrev, bPrev);
        d2 = hi === lo ? d1 : Math.min(aCur, bCur);
        break;
      }
    }
    const floor = sigmaFloor(med);
    const sMad = MAD_TO_SIGMA * ((d1 + d2) / 2);
    if (sMad >= floor) return sMad;
    // MAD collapsed: fall back to the standard deviation of the window
    let mean = 0;
    for (let k = 0; k < len; k++) mean += buf[k] as number;
    mean /= len;
    let ss = 0;
    for (let k = 0; k < len; k++) {
      const d = (buf[k] as number) - mean;
      ss += d * d;
    }
    const sd = Math.sqrt(ss / len);
    return Math.max(sd, floor);
  }

  /** how many window values lie at least `dev` from the median (either side) */
  private asExtreme(buf: number[], ord: number[], len: number, med: number, dev: number): number {
    const lo = med - dev;
    const hi = med + dev;
    // count of values <= lo
    let a = 0;
    let b = len;
    while (a < b) {
      const mid = (a + b) >> 1;
      if ((buf[ord[mid]!] as number) <= lo) a = mid + 1;
      else b = mid;
    }
    const below = a;
    // first index with value >= hi
    a = 0;
    b = len;
    while (a < b) {
      const mid = (a + b) >> 1;
      if ((buf[ord[mid]!] as number) < hi) a = mid + 1;
      else b = mid;
    }
    return below + (len - a);
  }

  private learn(s: RobustState, x: number): void {
    const buf = s.buf;
    const ord = s.ord;
    const len = s.len;
    const slot = len < this.window ? len : s.head;
    const sk = this.sk;
    const so = s.so;
    let sl = 0;
    if (sk > 0 && so !== undefined) {
      // the short view loses the value written sk points ago (never `slot`: sk < window)
      sl = len < sk ? len : sk;
      if (sl === sk) {
        const leaving = len < this.window ? slot - sk : (slot - sk + this.window) % this.window;
        const p = findSlot(buf, so, sl, leaving);
        for (let k = p; k < sl - 1; k++) so[k] = so[k + 1] as number;
        sl--;
      }
    }
    if (len < this.window) {
      // insert a new slot after the values <= x
      const f = upperBound(buf, ord, 0, len, x);
      for (let k = len; k > f; k--) ord[k] = ord[k - 1] as number;
      ord[f] = len;
      buf[len] = x;
      s.len = len + 1;
    } else {
      s.head = slot + 1 === this.window ? 0 : slot + 1;
      // position p of the evicted slot: binary search on its value, then scan the equal values
      const old = buf[slot] as number;
      let p = 0;
      let b = len;
      while (p < b) {
        const mid = (p + b) >> 1;
        if ((buf[ord[mid]!] as number) < old) p = mid + 1;
        else b = mid;
      }
      while (p < len - 1 && ord[p] !== slot) p++;
      // move the slot from p to its new place, shifting only the indices in between
      if (x >= old) {
        const q = upperBound(buf, ord, p + 1, len, x) - 1;
        for (let k = p; k < q; k++) ord[k] = ord[k + 1] as number;
        ord[q] = slot;
      } else {
        const q = upperBound(buf, ord, 0, p, x);
        for (let k = p; k > q; k--) ord[k] = ord[k - 1] as number;
        ord[q] = slot;
      }
      buf[slot] = x;
    }
    if (sk > 0 && so !== undefined) {
      const f = upperBound(buf, so, 0, sl, x);
      for (let k = sl; k > f; k--) so[k] = so[k - 1] as number;
      so[f] = slot;
    }
    s.n = s.n >= 1e9 ? 1e9 : s.n + 1;
  }
}

/** position of `slot` in the sorted view ord[0..len): binary search on its value, then scan the equal values */
function findSlot(buf: number[], ord: number[], len: number, slot: number): number {
  const v = buf[slot] as number;
  let p = 0;
  let b = len;
  while (p < b) {
    const mid = (p + b) >> 1;
    if ((buf[ord[mid]!] as number) < v) p = mid + 1;
    else b = mid;
  }
  while (p < len - 1 && ord[p] !== slot) p++;
  return p;
}

/** first index in [from, to) of the sorted view whose value is > x */
function upperBound(buf: number[], ord: number[], from: number, to: number, x: number): number {
  let a = from;
  let b = to;
  while (a < b) {
    const mid = (a + b) >> 1;
    if ((buf[ord[mid]!] as number) <= x) a = mid + 1;
    else b = mid;
  }
  return a;
}
