import { sigmaFloor, usable } from './calibrate.js';
import type { RangeConfig } from './config.js';
import type { Detector } from './detector.js';
import { DetectorOut } from './output.js';
import { RecordCalibration, scoreFromRatio } from './record.js';

/** cap of the value count kept in the state */
const CAP = 1e9;

/**
 * Per-series state: values learnt `n`, the extremes `hi`/`lo` of the values seen, and the points
 * since the last new maximum / minimum (`qu`/`qd`, counted up to `record.quiet`).
 */
export interface RangeState {
  n: number;
  hi: number;
  lo: number;
  qu: number;
  qd: number;
}

/**
 * Range (spatial novelty, after the "spatial anomaly" of Numenta's NAB detector): a value outside
 * the range of every value seen so far, scored by how far outside relative to that range,
 *
 *   R = 1 + (excess − floor) / max(hi − lo, floor),   excess = max(x − hi, lo − x) > floor,
 *
 * on the record scale (record.ts): score = 1 − (R/margin)^−GAMMA. A value inside the range (or
 * beyond it by no more than the σ floor, so rounding jitter on a constant series never counts)
 * scores 0. A new extreme within `record.quiet` points of the previous one on the same side scores
 * 0 (a climb reports its start); while young (`record.settle`) the margin is larger. The extremes relax towards the middle of the range with
 * `record.halfLife` learnt points, so one old incident does not widen the range forever.
 * `learning` until `record.warmup` values are learnt. Timestamps are not used. A level shift
 * stops alarming at once: the new level is inside the widened range.
 */
export class RangeDetector implements Detector<RangeState> {
  readonly kind = 'range';
  readonly name: string;
  private readonly rec: RecordCalibration;
  private readonly decay: number;
  private readonly tolerance: number;
  private readonly out = new DetectorOut();

  constructor(cfg: RangeConfig) {
    this.name = cfg.name ?? 'range';
    this.rec = new RecordCalibration(cfg.record);
    this.decay = cfg.record.halfLife > 0 ? 2 ** (-1 / cfg.record.halfLife) : 1;
    this.tolerance = cfg.tolerance;
  }

  init(): RangeState {
    const q = this.rec.quiet;
    return { n: 0, hi: 0, lo: 0, qu: q, qd: q };
  }

  update(s: RangeState, _ts: number, x: number): DetectorOut {
    const o = this.out;
    const n = s.n;
    const mid = (s.hi + s.lo) / 2;
    const ready = n >= Math.max(2, this.rec.warmup);
    const expected = n > 0 ? mid : Number.NaN;
    const spread = n > 0 ? (s.hi - s.lo) / 2 : Number.NaN;
    if (!usable(x)) return o.idle(ready ? 'ready' : 'learning', expected, spread);
    o.expected = expected;
    o.spread = spread;
    o.newLevel = Number.NaN;
    o.score = 0;
    o.z = 0;
    o.status = ready ? 'ready' : 'learning';
    if (n === 0) {
      s.hi = x;
      s.lo = x;
      s.n = 1;
      return o;
    }
    const floor = sigmaFloor(mid);
    const width = s.hi - s.lo;
    const up = x - s.hi;
    const down = s.lo - x;
    if (ready) {
      const w = width > floor ? width : floor;
      const excess = (up > down ? up : down) - floor - this.tolerance * w;
      const quiet = (up > down ? s.qu : s.qd) < this.rec.quiet - 1;
      if (excess > 0 && !quiet) o.score = scoreFromRatio((1 + excess / w) / this.rec.marginAt(n));
      // normal-equivalent deviation: half the range taken as ≈ 3σ
      o.z = width > 0 ? ((x - mid) / (width / 2)) * 3 : 0;
    }
    // learn: relax the extremes towards the middle, then widen them to x
    let hi = s.hi;
    let lo = s.lo;
    if (this.decay < 1) {
      hi = mid + (hi - mid) * this.decay;
      lo = mid - (mid - lo) * this.decay;
    }
    const q = this.rec.quiet;
    if (x > hi) {
      hi = x;
      s.qu = 0;
    } else s.qu = s.qu >= q ? q : s.qu + 1;
    if (x < lo) {
      lo = x;
      s.qd = 0;
    } else s.qd = s.qd >= q ? q : s.qd + 1;
    s.hi = hi;
    s.lo = lo;
    s.n = n >= CAP ? CAP : n + 1;
    return o;
  }
}
