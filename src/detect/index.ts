import { z } from 'zod';
import { AlarmRule } from '../config/pipeline.js';
import type { AnomalyEvent } from '../contracts/anomaly.js';
import type { DetectorStatus, Score } from '../contracts/score.js';
import { seriesId } from '../contracts/series.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { ALARM_FIRING, ALARM_NONE, AlarmRuleRunner, type AlarmState } from './alarm.js';
import { DetectorConfig, HoldConfig } from './config.js';
import { type Combine, Ensemble, type EnsembleResult } from './ensemble.js';
import { DetectConfigError } from './errors.js';
import { firingReason, type ReasonInput, resolvedReason } from './reason.js';
import type { ScoredPoint, SeriesMeta, SeriesScorer } from './scorer.js';

export { BAND_Z, scoreFromZ, scoreFromZExact, zFromScore } from './calibrate.js';
export type { DetectConfig } from './defaults.js';
export { DEFAULT_DETECT_YAML, defaultDetectorConfig } from './defaults.js';
export type { Detector, DetectorOutput } from './detector.js';
export { type Combine, Ensemble, type EnsembleResult } from './ensemble.js';
export { DetectConfigError } from './errors.js';
export { createDetector, createDetectors, detectorRegistry } from './registry.js';
export type { ScoredPoint, SeriesMeta, SeriesScorer } from './scorer.js';

/**
 * Per-series state: ONE plain JSON object — every detector's state (`d`, in detector order),
 * every alarm rule's state (`a`, in rule order) and `k`, a fingerprint of the configuration that
 * made it (revive() starts afresh when the configuration changed). ≈ 3 KB for the default ensemble.
 */
export interface SeriesState {
  k: string;
  d: unknown[];
  a: AlarmState[];
  /** with `ensemble.hold`: [points since the combined score last reached the hold level, the held peak] */
  h?: [number, number];
}

/** Result of `updateFast`: one object reused for every call — read it before the next call. */
export interface FastResult {
  score: number;
  status: DetectorStatus;
  /** NaN when unknown */
  expected: number;
  lower: number;
  upper: number;
  /** each detector's score, in `names` order (overwritten by the next call) */
  scores: Float64Array;
  /** events decided at this point; a shared empty array when none (do not mutate) */
  events: AnomalyEvent[];
}

export interface FaultlineScorer extends SeriesScorer<SeriesState> {
  /** detector names, in the order of `FastResult.scores` */
  readonly names: readonly string[];
  readonly combine: Combine;
  /**
   * The same computation as `update` without building the contract `Score` (no allocation per
   * point unless an alarm decides something). For hot loops: NAB runner, benchmarks, a worker
   * that does not emit every score. Must not be mixed with `update` expecting separate results.
   */
  updateFast(state: SeriesState, ts: number, value: number | null, meta: SeriesMeta): FastResult;
  /** a state read back from JSON (checkpoint): returned as is when it fits this configuration, else a fresh state */
  revive(raw: unknown): SeriesState;
}

export interface ScorerOptions {
  detectors: readonly z.input<typeof DetectorConfig>[];
  ensemble?: { combine?: Combine; hold?: z.input<typeof HoldConfig> };
  alarms: readonly z.input<typeof AlarmRule>[];
}

const Options = z.object({
  detectors: z.array(DetectorConfig).min(1),
  ensemble: z
    .object({ combine: z.enum(['max', 'mean', 'second']).default('max'), hold: HoldConfig.prefault({}) })
    .prefault({}),
  alarms: z.array(AlarmRule),
});

const NO_EVENTS: AnomalyEvent[] = Object.freeze([]) as unknown as AnomalyEvent[];

const nullIfNaN = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** FNV-1a, base 36: a short fingerprint of the configuration */
function fingerprint(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/**
 * The one entry point of detection (worker, CLI `score`, NAB runner, benches):
 *
 *   const scorer = createSeriesScorer({ detectors, ensemble, alarms })   // PipelineConfig parts
 *   const state = scorer.init()
 *   const { score, events } = scorer.update(state, { ts, value }, { source, metric, labels })
 *
 * Accepts parsed or raw (YAML-shaped) configs; invalid ones throw DetectConfigError naming the field.
 */
export function createSeriesScorer(opts: ScorerOptions): FaultlineScorer {
  const parsed = Options.safeParse(opts);
  if (!parsed.success) throw new DetectConfigError(`invalid detect configuration:\n${z.prettifyError(parsed.error)}`);
  const cfg = parsed.data;
  const ens = new Ensemble(cfg.detectors, cfg.ensemble.combine);
  const rules = cfg.alarms.map((r) => new AlarmRuleRunner(r));
  const ruleNames = new Set<string>();
  for (const [i, r] of cfg.alarms.entries()) {
    if (ruleNames.has(r.name)) throw new DetectConfigError(`alarms[${i}]: rule name '${r.name}' is used twice`);
    ruleNames.add(r.name);
  }
  const key = fingerprint(JSON.stringify([cfg.detectors, cfg.alarms]));
  const names = ens.names;
  const nDet = names.length;
  const fast: FastResult = {
    score: 0,
    status: 'learning',
    expected: Number.NaN,
    lower: Number.NaN,
    upper: Number.NaN,
    scores: new Float64Array(nDet),
    events: NO_EVENTS,
  };
  // the ensemble's own per-detector score array is reused for every point: share it
  fast.scores = ens.scoresView;

  const holdPoints = cfg.ensemble.hold.points;
  const holdLevel = cfg.ensemble.hold.level;
  const init = (): SeriesState => {
    const s: SeriesState = { k: key, d: ens.init(), a: rules.map((r) => r.init()) };
    if (holdPoints > 0) s.h = [holdPoints + 1, 0];
    return s;
  };

  /**
   * Ensemble hold: within `points` points of a combined score >= level, a score not above the
   * peak held since is reported as 0 (a state without `h`, e.g. from an older checkpoint, starts
   * with no hold in progress).
   */
  const hold = (state: SeriesState, r: EnsembleResult): void => {
    if (state.h === undefined) state.h = [holdPoints + 1, 0];
    const h = state.h;
    const since = h[0] >= holdPoints ? holdPoints + 1 : h[0] + 1;
    const inHold = since <= holdPoints;
    const s = r.score;
    if (inHold && s <= h[1]) r.score = 0;
    if (s >= holdLevel) {
      if (!inHold || s > h[1]) h[1] = s;
      h[0] = 0;
    } else h[0] = since;
  };

  const scoresRecord = (r: EnsembleResult): Record<string, number> => {
    const o: Record<string, number> = {};
    for (let i = 0; i < nDet; i++) o[names[i] as string] = r.scores[i] as number;
    return o;
  };

  /** run the alarm rules; events (or null when none) */
  const alarms = (state: SeriesState, ts: number, x: number, r: EnsembleResult, meta: SeriesMeta) => {
    let events: AnomalyEvent[] | null = null;
    for (let i = 0; i < rules.length; i++) {
      const runner = rules[i] as AlarmRuleRunner;
      const as = state.a[i] as AlarmState;
      const decision = runner.step(as, ts, r.score);
      if (decision === ALARM_NONE) continue;
      events ??= [];
      events.push(buildEvent(runner, as, decision === ALARM_FIRING, x, r, meta));
    }
    return events;
  };

  const buildEvent = (
    runner: AlarmRuleRunner,
    as: AlarmState,
    firing: boolean,
    x: number,
    r: EnsembleResult,
    meta: SeriesMeta,
  ): AnomalyEvent => {
    const rule = runner.rule;
    const sid = seriesId(meta.source, meta.metric);
    const value = Number.isFinite(x) ? x : null;
    const ri: ReasonInput = {
      source: meta.source,
      metric: meta.metric,
      value,
      expected: nullIfNaN(r.expected),
      lower: nullIfNaN(r.lower),
      upper: nullIfNaN(r.upper),
      score: r.score,
      z: r.top >= 0 ? (r.zs[r.top] as number) : 0,
      names,
      scores: r.scores,
    };
    const ev: AnomalyEvent = {
      v: SCHEMA_VERSION,
      id: firing ? `${sid}:${rule.name}:${as.st}` : `${sid}:${rule.name}:${as.st}:resolved`,
      state: firing ? 'firing' : 'resolved',
      ts: as.clk,
      source: meta.source,
      metric: meta.metric,
      severity: rule.severity,
      score: r.score,
      scores: scoresRecord(r),
      value,
      expected: ri.expected,
      lower: ri.lower,
      upper: ri.upper,
      startedAt: as.st,
      reason: firing ? firingReason(ri) : resolvedReason(ri, rule.recover, as.lh - as.st),
      rule: rule.name,
    };
    if (meta.labels) ev.labels = meta.labels;
    return ev;
  };

  const update = (state: SeriesState, point: { ts: number; value: number | null }, meta: SeriesMeta): ScoredPoint => {
    const ts = point.ts;
    const x = point.value === null ? Number.NaN : point.value;
    const r = ens.run(state.d, ts, x);
    if (holdPoints > 0) hold(state, r);
    const score: Score = {
      ts,
      value: Number.isFinite(x) ? x : null,
      score: r.score,
      scores: scoresRecord(r),
      expected: nullIfNaN(r.expected),
      lower: nullIfNaN(r.lower),
      upper: nullIfNaN(r.upper),
      status: r.status,
    };
    const events = rules.length > 0 ? alarms(state, ts, x, r, meta) : null;
    return { score, events: events ?? [] };
  };

  const updateFast = (state: SeriesState, ts: number, value: number | null, meta: SeriesMeta): FastResult => {
    const x = value === null ? Number.NaN : value;
    const r = ens.run(state.d, ts, x);
    if (holdPoints > 0) hold(state, r);
    fast.score = r.score;
    fast.status = r.status;
    fast.expected = r.expected;
    fast.lower = r.lower;
    fast.upper = r.upper;
    fast.events = (rules.length > 0 ? alarms(state, ts, x, r, meta) : null) ?? NO_EVENTS;
    return fast;
  };

  const revive = (raw: unknown): SeriesState => {
    if (typeof raw === 'object' && raw !== null) {
      const s = raw as Partial<SeriesState>;
      if (
        s.k === key &&
        Array.isArray(s.d) &&
        s.d.length === nDet &&
        s.d.every((d) => typeof d === 'object' && d !== null) &&
        Array.isArray(s.a) &&
        s.a.length === rules.length &&
        (s.h === undefined || (Array.isArray(s.h) && s.h.length === 2 && s.h.every(Number.isFinite)))
      ) {
        return s as SeriesState;
      }
    }
    return init();
  };

  return { names, combine: cfg.ensemble.combine, init, update, updateFast, revive };
}
