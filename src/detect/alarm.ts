import type { AlarmRule } from '../config/pipeline.js';
import { usable } from './calibrate.js';

/**
 * Per-series, per-rule alarm state (plain data): whether an anomaly is open (`f`), when it started
 * (`st`), the last hit (`lh`), the end of the suppression period (`q`), the series' data clock
 * (`clk`, monotone; `seen` = 1 once set) and a ring of the last `minHits` hit times (`h`, next
 * slot `hi`, filled `hn`).
 */
export interface AlarmState {
  f: number;
  st: number;
  lh: number;
  q: number;
  clk: number;
  seen: number;
  h: number[];
  hi: number;
  hn: number;
}

/** What a rule decided at a point. */
export const ALARM_NONE = 0;
export const ALARM_FIRING = 1;
export const ALARM_RESOLVED = 2;
export type AlarmDecision = typeof ALARM_NONE | typeof ALARM_FIRING | typeof ALARM_RESOLVED;

/**
 * An alarm rule (Alertmanager/Merlion style: detectors score, rules decide).
 *  - A point hits when its combined score is >= `threshold`.
 *  - Fire when `minHits` hits fall within `window` (data time) and the series is not suppressed.
 *  - While firing, further hits extend the anomaly; `resolved` after `recover` with no hit.
 *  - After firing, no new firing for `suppress` (measured from the firing).
 * Time is the series' data clock: max(ts seen so far) — a late (out-of-order) point counts at the
 * clock's time, never rewinds it; a non-finite ts is ignored. An anomaly resolves when a later
 * point arrives past the recovery time (no data, no resolution: detectors never read the wall clock).
 */
export class AlarmRuleRunner {
  readonly rule: AlarmRule;

  constructor(rule: AlarmRule) {
    this.rule = rule;
  }

  init(): AlarmState {
    return { f: 0, st: 0, lh: 0, q: 0, clk: 0, seen: 0, h: new Array<number>(this.rule.minHits).fill(0), hi: 0, hn: 0 };
  }

  step(s: AlarmState, ts: number, score: number): AlarmDecision {
    if (!usable(ts)) return ALARM_NONE;
    const t = s.seen === 1 && s.clk > ts ? s.clk : ts;
    s.clk = t;
    s.seen = 1;
    const rule = this.rule;
    const hit = score >= rule.threshold && score > 0;
    if (s.f === 1) {
      if (hit) {
        s.lh = t;
        return ALARM_NONE;
      }
      if (t - s.lh >= rule.recover) {
        s.f = 0;
        s.hn = 0;
        s.hi = 0;
        return ALARM_RESOLVED;
      }
      return ALARM_NONE;
    }
    if (!hit) return ALARM_NONE;
    const m = rule.minHits;
    const h = s.h;
    h[s.hi] = t;
    s.hi = s.hi + 1 === m ? 0 : s.hi + 1;
    if (s.hn < m) s.hn++;
    if (t < s.q) return ALARM_NONE; // suppressed
    // with the ring full, h[hi] is the oldest of the last minHits hits
    if (s.hn < m || t - (h[s.hi] as number) > rule.window) return ALARM_NONE;
    s.f = 1;
    s.st = t;
    s.lh = t;
    s.q = t + rule.suppress;
    s.hn = 0;
    s.hi = 0;
    return ALARM_FIRING;
  }
}
