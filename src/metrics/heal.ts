import type { CoordinatorStatus } from '../coord/types.js';
import type { HealRecord, HealStatus } from '../heal/engine.js';
import type { ModelSummary } from '../ml/registry.js';
import type { Metrics } from './registry.js';

/**
 * Heal engine metrics: actions by strategy and decision, outcomes by strategy and result (pushed
 * through the returned `onRecord`, to pass as the engine's `onRecord` option or call from it), and
 * the engine's status (leader, safe mode, open cases, in flight, pending approvals) read at scrape time.
 */
export function instrumentHeal(
  metrics: Metrics,
  engine: () => { status(): HealStatus } | undefined,
): { onRecord(r: HealRecord): void } {
  const actions = metrics.counter({
    name: 'faultline_heal_actions_total',
    help: 'Action records by strategy and decision (proposed, approved, rejected, executed, skipped)',
    labelNames: ['strategy', 'decision', 'dry_run'],
  });
  const outcomes = metrics.counter({
    name: 'faultline_heal_outcomes_total',
    help: 'Verified outcomes of executed actions by strategy and result (recovered, failed)',
    labelNames: ['strategy', 'fault_type', 'result'],
  });
  const faults = metrics.counter({
    name: 'faultline_heal_faults_total',
    help: 'Fault records (new or updated) by fault type',
    labelNames: ['type'],
  });
  const status = (pick: (s: HealStatus) => number) => () => {
    const s = engine()?.status();
    return s ? pick(s) : undefined;
  };
  metrics.gauge({
    name: 'faultline_heal_leader',
    help: '1 when this heal engine may act (it leads and is not in safe mode)',
    collect: status((s) => (s.leader && !s.safeMode ? 1 : 0)),
  });
  metrics.gauge({
    name: 'faultline_heal_open_cases',
    help: 'Incidents the heal engine is working on',
    collect: status((s) => s.openCases),
  });
  metrics.gauge({
    name: 'faultline_heal_actions_in_flight',
    help: 'Executed actions being verified',
    collect: status((s) => s.inFlight),
  });
  metrics.gauge({
    name: 'faultline_heal_pending_approvals',
    help: 'Action plans waiting for an operator',
    collect: status((s) => s.pendingApprovals),
  });

  return {
    onRecord(r) {
      if (r.kind === 'action') {
        const a = r.action;
        actions.inc({ strategy: a.strategy, decision: a.decision, dry_run: String(a.dryRun) });
      } else if (r.kind === 'outcome') {
        const o = r.outcome;
        outcomes.inc({ strategy: o.strategy, fault_type: o.faultType, result: o.success ? 'recovered' : 'failed' });
      } else {
        faults.inc({ type: r.fault.type });
      }
    },
  };
}

/** Coordinator leadership, fencing token and safe mode, read from `status()` at scrape time. */
export function instrumentCoordinator(
  metrics: Metrics,
  coordinator: () => { status(): CoordinatorStatus } | undefined,
) {
  const read = (pick: (s: CoordinatorStatus) => number) => () => {
    const s = coordinator()?.status();
    return s ? [{ labels: { id: s.id, backend: s.backend }, value: pick(s) }] : undefined;
  };
  const labelNames = ['id', 'backend'];
  metrics.gauge({
    name: 'faultline_coordinator_leader',
    help: '1 while this instance leads (elected, lease safe, not in safe mode)',
    labelNames,
    collect: read((s) => (s.leader ? 1 : 0)),
  });
  metrics.gauge({
    name: 'faultline_coordinator_safe_mode',
    help: '1 while coordination is impossible (etcd unreachable or quorum lost): nothing is done',
    labelNames,
    collect: read((s) => (s.safeMode ? 1 : 0)),
  });
  metrics.gauge({
    name: 'faultline_coordinator_fencing_token',
    help: 'Fencing token of the current leadership (0 when not leading)',
    labelNames,
    collect: read((s) => s.token ?? 0),
  });
}

/** Models in the registry: one `faultline_model_info` series per version, and the latest version per model. */
export function instrumentModels(metrics: Metrics, list: () => Promise<ModelSummary[]>) {
  metrics.gauge({
    name: 'faultline_model_latest_version',
    help: 'Latest version of each model in the registry',
    labelNames: ['model'],
    collect: async () => (await list()).map((m) => ({ labels: { model: m.name }, value: m.latest })),
  });
  metrics.gauge({
    name: 'faultline_model_versions',
    help: 'Versions kept in the registry per model',
    labelNames: ['model'],
    collect: async () => (await list()).map((m) => ({ labels: { model: m.name }, value: m.versions.length })),
  });
}
