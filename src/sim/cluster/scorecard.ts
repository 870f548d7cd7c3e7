import type { Strategy } from '../../contracts/action.js';
import type { AppliedAction, Availability } from './cluster.js';
import { EXHAUSTION_KINDS, type FaultKind, type FaultTruth } from './faults.js';

/** A firing anomaly as the scorecard needs it. */
export interface Detection {
  source: string;
  metric: string;
  ts: number;
  rule?: string;
  score?: number;
  value?: number | null;
  expected?: number | null;
  /** each detector's score */
  scores?: Record<string, number>;
}

/** An early warning from the fault predictor (a model), per source. */
export interface Warning {
  source: string;
  ts: number;
  type: string;
  p: number;
}

/**
 * The chaos scorecard. Every figure is defined in src/sim/cluster/README.md; times are data time.
 * Shares are 0–1; `null` when there is nothing to measure.
 */
export interface Scorecard {
  scenario: string;
  seed: number;
  nodes: number;
  /** measured period (simulated seconds) */
  duration_s: number;
  faults_injected: number;
  /** faults with a firing anomaly on their node between onset and recovery */
  faults_detected: number;
  /** resource-exhaustion faults (memory leak, disk fill) */
  exhaustion_faults: number;
  /** exhaustion faults detected (anomaly or predictor warning on their node) before their impact */
  predicted_before_impact: number;
  /** median lead time of those detections before the impact (s) */
  lead_time_median_s: number | null;
  /** of which the predictor (model) warned first */
  predicted_by_model: number;
  /** share of faults ended by an engine action (not by itself, not by an operator) */
  recovered_automatically: number;
  recovered_automatically_count: number;
  recovered_by_operator: number;
  recovered_by_itself: number;
  not_recovered: number;
  /** median time from onset to recovery over all faults (unrecovered: until the end of the run) (s) */
  mttr_median_s: number | null;
  mttr_p90_s: number | null;
  mttr_median_by_kind_s: Partial<Record<FaultKind, number>>;
  /** 1 − failed-request-weighted node-seconds / node-seconds measured */
  availability: number;
  unavailable_node_s: number;
  /** applied actions (escalations excluded), by verdict */
  actions: number;
  fixing_actions: number;
  wrong_actions: number;
  duplicate_actions: number;
  /** deliveries of an already-applied action id (refused by the actuator's idempotency) */
  duplicate_deliveries: number;
  actions_by_strategy: Partial<Record<Strategy, number>>;
  /** escalations: with a fault on the target, and without (false pages) */
  pages: number;
  false_pages: number;
  /** share of exhaustion faults with a fixing action applied before their impact */
  exhaustion_acted_before_impact: number | null;
  /** anomalies explained by no fault or action on their node or what it depends on (false alarms) */
  false_alarms: number;
}

function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);

export interface ScorecardInput {
  scenario: string;
  seed: number;
  nodes: number;
  /** the measured period */
  from: number;
  to: number;
  truths: readonly FaultTruth[];
  applied: readonly AppliedAction[];
  availability: Availability;
  detections: readonly Detection[];
  warnings?: readonly Warning[];
  duplicateDeliveries: number;
  /** a node and everything it depends on (transitively) */
  related: (node: string) => readonly string[];
}

const EXPLAIN_MS = 5 * 60_000;

/** The scorecard of a finished run, from the ground truth the cluster kept. */
export function computeScorecard(i: ScorecardInput): Scorecard {
  const endOf = (f: FaultTruth) => f.recoveredAt ?? i.to;
  const onNode = (f: FaultTruth, d: { source: string; ts: number }) =>
    d.source === f.node && d.ts >= f.onset && d.ts <= endOf(f);
  const detected = i.truths.filter((f) => i.detections.some((d) => onNode(f, d)));

  const exhaustion = i.truths.filter((f) => EXHAUSTION_KINDS.includes(f.kind));
  let byModel = 0;
  const leads: number[] = [];
  for (const f of exhaustion) {
    const firstAnomaly = i.detections.filter((d) => onNode(f, d) && d.ts < f.impactAt).map((d) => d.ts);
    const firstWarning = (i.warnings ?? [])
      .filter((w) => onNode(f, w) && w.ts < f.impactAt && w.type === 'resource_exhaustion')
      .map((w) => w.ts);
    const a = firstAnomaly.length > 0 ? Math.min(...firstAnomaly) : Number.POSITIVE_INFINITY;
    const w = firstWarning.length > 0 ? Math.min(...firstWarning) : Number.POSITIVE_INFINITY;
    const first = Math.min(a, w);
    if (Number.isFinite(first)) {
      leads.push((f.impactAt - first) / 1000);
      if (w < a) byModel++;
    }
  }

  const mttr = i.truths.map((f) => (endOf(f) - f.onset) / 1000);
  const byKind: Partial<Record<FaultKind, number>> = {};
  for (const k of new Set(i.truths.map((f) => f.kind))) {
    const xs = i.truths.filter((f) => f.kind === k).map((f) => (endOf(f) - f.onset) / 1000);
    byKind[k] = r1(quantile(xs, 0.5)) as number;
  }

  const acts = i.applied.filter((a) => a.strategy !== 'escalate');
  const byStrategy: Partial<Record<Strategy, number>> = {};
  for (const a of acts) byStrategy[a.strategy] = (byStrategy[a.strategy] ?? 0) + 1;
  const auto = i.truths.filter((f) => f.recoveredBy === 'action').length;
  const actedBefore = exhaustion.filter((f) => f.firstFixAt !== undefined && f.firstFixAt < f.impactAt).length;
  const falseAlarms = i.detections.filter((d) => {
    const near = new Set(i.related(d.source));
    const fault = i.truths.some(
      (f) => near.has(f.node) && d.ts >= f.onset && d.ts <= Math.max(endOf(f), f.endsAt ?? 0) + EXPLAIN_MS,
    );
    const action = i.applied.some((a) => near.has(a.target) && d.ts >= a.at && d.ts <= a.at + EXPLAIN_MS);
    return !fault && !action;
  }).length;

  return {
    scenario: i.scenario,
    seed: i.seed,
    nodes: i.nodes,
    duration_s: (i.to - i.from) / 1000,
    faults_injected: i.truths.length,
    faults_detected: detected.length,
    exhaustion_faults: exhaustion.length,
    predicted_before_impact: leads.length,
    lead_time_median_s: r1(quantile(leads, 0.5)),
    predicted_by_model: byModel,
    recovered_automatically: i.truths.length > 0 ? auto / i.truths.length : 1,
    recovered_automatically_count: auto,
    recovered_by_operator: i.truths.filter((f) => f.recoveredBy === 'operator').length,
    recovered_by_itself: i.truths.filter((f) => f.recoveredBy === 'itself').length,
    not_recovered: i.truths.filter((f) => f.recoveredAt === undefined || f.recoveredAt > i.to).length,
    mttr_median_s: r1(quantile(mttr, 0.5)),
    mttr_p90_s: r1(quantile(mttr, 0.9)),
    mttr_median_by_kind_s: byKind,
    availability: i.availability.availability,
    unavailable_node_s: r1(i.availability.unavailableNodeSeconds) as number,
    actions: acts.length,
    fixing_actions: acts.filter((a) => a.verdict === 'fix').length,
    wrong_actions: acts.filter((a) => a.verdict === 'wrong').length,
    duplicate_actions: acts.filter((a) => a.verdict === 'duplicate').length,
    duplicate_deliveries: i.duplicateDeliveries,
    actions_by_strategy: byStrategy,
    pages: i.applied.filter((a) => a.verdict === 'page').length,
    false_pages: i.applied.filter((a) => a.verdict === 'false-page').length,
    exhaustion_acted_before_impact: exhaustion.length > 0 ? actedBefore / exhaustion.length : null,
    false_alarms: falseAlarms,
  };
}
