import { type Action, Action as ActionSchema, type ApprovalMode, type Strategy } from '../contracts/action.js';
import { AnomalyEvent } from '../contracts/anomaly.js';
import type { Fault } from '../contracts/fault.js';
import { type Outcome, Outcome as OutcomeSchema } from '../contracts/outcome.js';
import { SeriesScores } from '../contracts/score.js';
import { seriesId } from '../contracts/series.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import type { Coordinator } from '../coord/types.js';
import type { Actuator } from './actuators/actuator.js';
import { ActuatorExecutor } from './actuators/executor.js';
import { createActuators } from './actuators/from-config.js';
import { ApprovalQueue } from './approvals.js';
import { type Case, type CaseView, isOpen, viewOf } from './cases.js';
import { chooseStrategy } from './choose.js';
import { Classifier } from './classify.js';
import {
  type GroupConfig,
  type HealConfig,
  type HealConfigInput,
  parseHealConfig,
  policyFor,
  type SilenceConfig,
} from './config.js';
import { Correlator } from './correlate.js';
import { DestinationPicker } from './destination.js';
import { ApprovalNotFoundError, HealInputError } from './errors.js';
import { executePlan } from './execute.js';
import { faultOf } from './fault.js';
import {
  approvalGate,
  blastRadiusGate,
  composeGates,
  concurrencyGate,
  cooldownGate,
  dryRunGate,
  type Gate,
  leadershipGate,
  rateLimitGate,
  silenceGate,
} from './gates/index.js';
import { DependencyGraph } from './graph.js';
import { TargetLadder } from './ladder.js';
import { StrategyLearner } from './learner.js';
import { ActionLedger } from './ledger.js';
import { LatestValues } from './observed.js';
import { proposeActions, withDecision } from './records.js';
import { createRouter } from './routes.js';
import { type Silence, SilenceStore } from './silences.js';
import { planStrategy } from './strategies.js';
import { RecoveryVerifier, type Verdict } from './verify.js';

/** What one call produced: faults (new or updated), audit records, verified outcomes — to publish. */
export interface HealStep {
  faults: Fault[];
  actions: Action[];
  outcomes: Outcome[];
}

export type HealRecord =
  | { kind: 'fault'; fault: Fault }
  | { kind: 'action'; action: Action }
  | { kind: 'outcome'; outcome: Outcome };

export interface HealEngineOptions {
  config: HealConfigInput | HealConfig | undefined;
  coordinator: Coordinator;
  /** actuators by name, replacing the configured ones of that name (e.g. a simulator's sim actuator) */
  actuators?: Record<string, Actuator>;
  /** data-time clock for calls given no time; default the latest data time seen in events and scores */
  now?: () => number;
  /** called with every record as it is produced (in addition to the returned HealStep) */
  onRecord?: (r: HealRecord) => void;
  log?: (m: string) => void;
}

export interface HealEngine {
  readonly id: string;
  readonly config: HealConfig;
  /** An anomaly (firing or resolved): classify → correlate → pick a strategy → gates → act. */
  onAnomaly(event: unknown): Promise<HealStep>;
  /** A batch of scores: verification of actions in flight, and load figures for destination policies. */
  onScores(batch: unknown): Promise<HealStep>;
  /** An outcome reported from outside (e.g. a webhook callback): updates the learner and the ladder. */
  onOutcome(outcome: unknown): Promise<HealStep>;
  /** An audit record from another engine (read back from faultline.actions): keeps a standby in step. */
  observeAction(action: unknown): Promise<HealStep>;
  /** Time passes (data time): approval timeouts, verification windows, deferred decisions. */
  tick(now?: number): Promise<HealStep>;
  approve(actionId: string, by: { by: string; now?: number }): Promise<HealStep>;
  reject(actionId: string, by: { by: string; now?: number; reason?: string }): Promise<HealStep>;
  addSilence(s: SilenceConfig | Silence): Silence;
  removeSilence(id: string): boolean;
  silences(): Silence[];
  cases(opts?: { open?: boolean }): CaseView[];
  pendingApprovals(): Array<{ id: string; faultId: string; strategy: Strategy; deadline: number; plan: Action[] }>;
  learner(): StrategyLearner;
  /** Whether this engine may act now and what it is doing (for the API and logs). */
  status(): HealStatus;
}

export interface HealStatus {
  engine: string;
  leader: boolean;
  safeMode: boolean;
  /** the coordinator's reason: 'leader', why not, or why safe mode */
  reason: string;
  dryRun: boolean;
  openCases: number;
  inFlight: number;
  pendingApprovals: number;
  /** latest data time seen */
  dataTime: number | null;
}

const MAX_CLOSED = 1000;
const MAX_REMEMBERED_OUTCOMES = 100_000;

const emptyStep = (): HealStep => ({ faults: [], actions: [], outcomes: [] });

function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } };
  },
  v: unknown,
  what: string,
): T {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new HealInputError(
    `${what}${i?.path.length ? `.${i.path.map(String).join('.')}` : ''}: ${i?.message ?? 'invalid'}`,
  );
}

/**
 * The heal engine, in-process: every method is serialised (one decision at a time) and works in data
 * time. Only the coordinator's leader acts; a standby keeps the same incident state (so it completes a
 * remediation when it takes over) but records nothing; in safe mode nothing is done and the reason is
 * recorded once per incident.
 */
export function createHealEngine(opts: HealEngineOptions): HealEngine {
  const config = parseHealConfig(opts.config);
  const coordinator = opts.coordinator;
  const log = opts.log ?? (() => {});
  const graph = new DependencyGraph(config.services);
  const classifier = new Classifier(config.rules);
  const peers = new Map<string, string[]>();
  for (const g of config.groups)
    for (const m of g.members)
      peers.set(
        m,
        g.members.filter((x) => x !== m),
      );
  const correlator = new Correlator(
    graph,
    config.correlation.window,
    config.correlation.peerSymptoms ? (s) => peers.get(s) ?? [] : undefined,
    config.correlation.aftermath,
  );
  const ladder = new TargetLadder(config.ladder);
  const ledger = new ActionLedger();
  const learner = new StrategyLearner({ seed: config.learner.seed, ttrScaleMs: config.learner.ttrScale });
  const verifier = new RecoveryVerifier(config.verify);
  const approvals = new ApprovalQueue();
  const silences = new SilenceStore(config.silences);
  const latest = new LatestValues();
  const destinations = new DestinationPicker(config.reallocate.policy);
  const actuators = createActuators(config.actuators, opts.actuators ? { overrides: opts.actuators } : {});
  for (const [name, a] of Object.entries(opts.actuators ?? {})) actuators[name] ??= a;
  const executor = new ActuatorExecutor(config.executor);
  const routeOf = createRouter(config);
  const groups = new Map(config.groups.map((g) => [g.name, g]));
  const groupByMember = new Map<string, GroupConfig>();
  for (const g of config.groups) for (const m of g.members) groupByMember.set(m, g);
  const groupOf = (t: string) => groupByMember.get(t)?.name;
  const retryEvery = config.gates.retryEvery;

  const gates: Gate = composeGates(
    leadershipGate(coordinator, retryEvery),
    silenceGate(silences),
    approvalGate(config.approval.timeout),
    blastRadiusGate(ledger, config.groups, config.gates.maxUngroupedInFlight, retryEvery),
    concurrencyGate(ledger, config.gates.maxConcurrent, retryEvery),
    rateLimitGate(ledger, config.gates.rateMax, config.gates.ratePer),
    cooldownGate(ledger, config.gates.cooldown),
    dryRunGate(config.dryRun),
  );

  const cases = new Map<string, Case>();
  /** executed plans being verified, by their primary action id */
  const watches = new Map<string, { caseId: string; plan: Action[]; fault: Fault }>();
  const handledOutcomes = new Set<string>();
  let latestTs = Number.NEGATIVE_INFINITY;
  const clock = () => (opts.now ? opts.now() : latestTs);
  const advance = (ts: number) => {
    if (ts > latestTs) latestTs = ts;
  };

  let chain: Promise<unknown> = Promise.resolve();
  const serial = (fn: (step: HealStep) => Promise<void> | void): Promise<HealStep> => {
    const run = chain.then(async () => {
      const step = emptyStep();
      await fn(step);
      return step;
    });
    chain = run.catch(() => undefined);
    return run;
  };

  const emitFault = (step: HealStep, f: Fault) => {
    step.faults.push(f);
    opts.onRecord?.({ kind: 'fault', fault: f });
  };
  const emitActions = (step: HealStep, list: Action[]) => {
    for (const a of list) {
      step.actions.push(a);
      opts.onRecord?.({ kind: 'action', action: a });
    }
  };
  const emitOutcome = (step: HealStep, o: Outcome) => {
    step.outcomes.push(o);
    opts.onRecord?.({ kind: 'outcome', outcome: o });
  };

  const closeCase = (c: Case, status: 'recovered' | 'closed', reason: string, now: number) => {
    c.status = status;
    c.closedAt = now;
    c.closedReason = reason;
    correlator.close(c.id, now);
    const closed = [...cases.values()].filter((x) => !isOpen(x));
    if (closed.length > MAX_CLOSED) {
      closed.sort((a, b) => (a.closedAt ?? 0) - (b.closedAt ?? 0));
      for (const x of closed.slice(0, closed.length - MAX_CLOSED)) cases.delete(x.id);
    }
  };

  /**
   * Whether a source is part of an open incident (not a valid destination or backup). A symptom of the
   * case being planned itself does not count: a peer its load moved to is busier, not broken.
   */
  const failing = (s: string, planning?: Case) => {
    for (const c of cases.values()) {
      if (!isOpen(c)) continue;
      if (c.fault.root === s || (c !== planning && c.fault.symptoms.includes(s))) return true;
    }
    return false;
  };

  const modeFor = (s: Strategy): ApprovalMode =>
    s === 'escalate' ? 'automatic' : (config.approval.strategies[s] ?? config.approval.mode);

  const summary = (f: Fault) =>
    `${f.type} at ${f.root} (${f.severity}, P${f.priority}${f.symptoms.length ? `, symptoms ${f.symptoms.join(', ')}` : ''})`;

  const rootSeries = (c: Case) => {
    const seen = new Map<string, { source: string; metric: string }>();
    for (const s of c.incident.signals) {
      if (s.event.source === c.fault.root)
        seen.set(seriesId(s.event.source, s.event.metric), { source: s.event.source, metric: s.event.metric });
    }
    return [...seen.values()];
  };

  // ---- outcomes -------------------------------------------------------------------------------

  /** Applies an outcome: ledger, learner (primary actions only), ladder and the case. */
  const applyOutcome = (o: Outcome, primary: boolean) => {
    if (handledOutcomes.has(o.actionId)) return;
    handledOutcomes.add(o.actionId);
    if (handledOutcomes.size > MAX_REMEMBERED_OUTCOMES) {
      const oldest = handledOutcomes.values().next().value;
      if (oldest !== undefined) handledOutcomes.delete(oldest);
    }
    ledger.finish(o.actionId, o.verifiedAt);
    if (!primary) return;
    learner.record(o.faultType, o.strategy, o.success, o.timeToRecoverMs);
    const c = cases.get(o.faultId);
    if (!c || !isOpen(c) || c.current?.plan[0]?.id !== o.actionId) return;
    if (o.success) {
      ladder.healthy(c.fault.root, o.verifiedAt);
      closeCase(c, 'recovered', `${o.strategy} verified after ${(o.timeToRecoverMs ?? 0) / 1000}s`, o.verifiedAt);
      return;
    }
    const why = `${o.strategy} did not recover ${c.fault.root} (${String(o.details['reason'] ?? 'verification failed')})`;
    ladder.exhaust(c.fault.root, o.strategy, why);
    c.tried.set(o.strategy, why);
    c.current = undefined;
    c.status = isOpen(c) ? 'pending' : c.status;
    c.notBefore = o.verifiedAt;
  };

  const finishWatch = (v: Verdict, step: HealStep) => {
    const w = watches.get(v.key);
    if (!w) return;
    watches.delete(v.key);
    verifier.cancel(v.key);
    w.plan.forEach((a, i) => {
      const o: Outcome = {
        v: SCHEMA_VERSION,
        actionId: a.id,
        faultId: a.faultId,
        faultType: w.fault.type,
        strategy: a.strategy,
        target: a.target,
        success: v.success,
        timeToRecoverMs: v.timeToRecoverMs,
        verifiedAt: v.at,
        details: { ...v.details, ...(i > 0 ? { companionOf: w.plan[0]?.id } : {}) },
      };
      emitOutcome(step, o);
      applyOutcome(o, i === 0);
    });
  };

  // ---- deciding -------------------------------------------------------------------------------

  /** Deferrals are audited once per gate per attempt, not once per retry. */
  const recordSkip = (c: Case, key: string, list: Action[], step: HealStep) => {
    if (c.skippedBy.has(key)) return;
    c.skippedBy.add(key);
    emitActions(step, list);
  };

  /** After a rung was refused: the next rung at once, unless paging itself failed (nothing left to try). */
  const giveUpIfEscalation = (c: Case, strategy: Strategy): boolean => {
    if (strategy !== 'escalate') return true;
    c.status = 'escalated';
    log(`heal: paging for ${c.id} failed; the case waits for an operator`);
    return false;
  };

  /** One decision for a due case; true when the case should be looked at again at once (next rung). */
  const attempt = async (c: Case, now: number, step: HealStep): Promise<boolean> => {
    const root = c.fault.root;
    const token = coordinator.isLeader() ? (coordinator.token() ?? null) : null;
    const ctxBase = {
      faultId: c.id,
      fencingToken: token,
      dryRun: config.dryRun,
      engine: coordinator.id,
      now,
      actuatorFor: routeOf,
    };
    let plan: Action[];
    let strategy: Strategy;
    let approved = false;
    if (c.current?.approved) {
      strategy = c.current.strategy;
      approved = true;
      plan = c.current.plan.map((a) => ({ ...a, fencingToken: token, ts: now, decision: 'proposed' as const }));
    } else {
      const choice = chooseStrategy({
        fault: c.fault,
        policy: policyFor(config, c.fault.type),
        exhausted: ladder.exhausted(root),
        tried: c.tried,
        restartCheck: () => ladder.checkRestart(root, now),
        plan: (s) =>
          planStrategy(s, {
            fault: c.fault,
            group: groupByMember.get(root),
            graph,
            failing: (s) => failing(s, c),
            destinations,
            describe: (id) => ({
              id,
              load: latest.get(id, config.reallocate.loadMetric),
              latencyMs: latest.get(id, config.reallocate.latencyMetric),
            }),
            redundancy: config.redundancy,
          }),
        learner,
        forceEscalate: c.forceEscalate,
        key: `${c.id}:${c.attempt + 1}`,
      });
      for (const [s, r] of choice.exhaust) ladder.exhaust(root, s, r);
      strategy = choice.strategy;
      const records = proposeActions(choice.steps, [summary(c.fault), ...choice.reasons], {
        ...ctxBase,
        attempt: c.attempt + 1,
        mode: modeFor(strategy),
      });
      if (choice.kind === 'wait') {
        c.notBefore = choice.until;
        if (token !== null)
          recordSkip(
            c,
            'backoff',
            records.map((a) => withDecision(a, 'skipped', [], now)),
            step,
          );
        return false;
      }
      plan = records;
    }
    const primary = plan[0] as Action;
    c.waitingForLeadership = false;
    const verdict = gates.check({ action: primary, fault: c.fault, plan, groupOf, approved, mode: primary.mode, now });
    if (!verdict.allow) {
      const records = plan.map((a) => withDecision(a, verdict.decision, verdict.reasons, now));
      if (verdict.gate === 'leadership') {
        c.notBefore = verdict.retryAt ?? now + retryEvery;
        c.waitingForLeadership = true;
        if (coordinator.status().safeMode) recordSkip(c, 'safe-mode', records, step);
        return false;
      }
      if (verdict.hold === 'approval') {
        emitActions(step, records);
        approvals.add({
          id: primary.id,
          caseId: c.id,
          plan: records,
          requestedAt: now,
          deadline: now + config.approval.timeout,
        });
        c.status = 'awaiting-approval';
        c.current = { strategy, plan: records, approved: false };
        c.skippedBy.clear();
        return false;
      }
      if (verdict.hold === 'recommend') {
        emitActions(step, records);
        c.status = 'recommended';
        c.current = { strategy, plan: records, approved };
        return false;
      }
      if (verdict.decision === 'rejected') {
        emitActions(step, records);
        c.tried.set(strategy, verdict.reasons[verdict.reasons.length - 1] ?? verdict.gate);
        c.attempt = primary.attempt;
        c.current = undefined;
        c.skippedBy.clear();
        return giveUpIfEscalation(c, strategy);
      }
      c.notBefore = verdict.retryAt ?? now + retryEvery;
      recordSkip(c, verdict.gate, records, step);
      return false;
    }

    const results = await executePlan({ coordinator, actuators, executor, group: (n) => groups.get(n) }, plan);
    const executed: Action[] = [];
    let failure: { retriable: boolean; stale: boolean; reason: string } | undefined;
    for (const r of results) {
      if (r.ok) {
        const notes = [
          ...r.notes,
          `actuator ${r.action.actuator}: accepted${r.result.duplicate ? ' (already applied: idempotent replay)' : ''}`,
        ];
        if (r.result.success === false) notes.push('the actuator reported failure');
        executed.push(withDecision(r.action, 'executed', [...verdict.reasons, ...notes], now));
      } else {
        failure = { retriable: r.retriable, stale: r.stale === true, reason: r.reason };
      }
    }
    emitActions(step, executed);
    for (const a of executed) {
      if (a.strategy !== 'escalate') ledger.begin({ id: a.id, target: a.target, group: groupOf(a.target) }, now);
      if (a.strategy === 'restart') ladder.recordRestart(a.target, now);
    }
    if (failure) {
      const rest = plan.slice(executed.length);
      const [failed, ...notRun] = rest;
      const decision = failure.retriable && !failure.stale ? 'skipped' : 'rejected';
      const list = failed ? [withDecision(failed, decision, [...verdict.reasons, failure.reason], now)] : [];
      list.push(...notRun.map((a) => withDecision(a, 'skipped', ['not run: an earlier step of the plan failed'], now)));
      emitActions(step, list);
      c.skippedBy.clear();
      if (failure.retriable || failure.stale) {
        c.notBefore = now + retryEvery;
        return false;
      }
      c.tried.set(strategy, failure.reason);
      c.attempt = primary.attempt;
      c.current = undefined;
      return giveUpIfEscalation(c, strategy);
    }
    c.attempt = primary.attempt;
    c.current = { strategy, plan: executed, approved };
    c.skippedBy.clear();
    if (strategy === 'escalate') {
      c.status = 'escalated';
      return false;
    }
    c.status = 'verifying';
    watches.set(primary.id, { caseId: c.id, plan: executed, fault: c.fault });
    verifier.watch({ key: primary.id, series: rootSeries(c), actedAt: now, onsetAt: c.fault.openedAt });
    const reportedFailure = results.find((r) => r.ok && r.result.success === false);
    if (reportedFailure) {
      finishWatch(
        {
          key: primary.id,
          success: false,
          at: now,
          timeToRecoverMs: null,
          details: { reason: 'the actuator reported failure' },
        },
        step,
      );
    }
    return false;
  };

  const leads = () => coordinator.isLeader();

  const decide = async (now: number, step: HealStep) => {
    for (let round = 0; round < 16; round++) {
      const due = [...cases.values()]
        .filter((c) => c.status === 'pending' && (now >= c.notBefore || (c.waitingForLeadership && leads())))
        .sort(
          (a, b) =>
            a.fault.priority - b.fault.priority || a.fault.openedAt - b.fault.openedAt || (a.id < b.id ? -1 : 1),
        );
      let again = false;
      for (const c of due) {
        if (await attempt(c, now, step)) again = true;
      }
      if (!again) return;
    }
  };

  // ---- inputs ---------------------------------------------------------------------------------

  const onResolved = (ev: AnomalyEvent, step: HealStep) => {
    ladder.healthy(ev.source, ev.ts);
    for (const v of verifier.observeResolved(ev.source, ev.metric, ev.ts)) finishWatch(v, step);
    const sid = seriesId(ev.source, ev.metric);
    for (const c of cases.values()) {
      if (!isOpen(c) || c.fault.root !== ev.source) continue;
      c.rootFiring.delete(sid);
      if (c.rootFiring.size > 0 || c.status === 'verifying') continue;
      if (c.status === 'awaiting-approval') {
        const p = approvals.take(c.current?.plan[0]?.id ?? '');
        if (p)
          emitActions(
            step,
            p.plan.map((a) => withDecision(a, 'rejected', [`${ev.source} recovered before approval`], ev.ts)),
          );
      }
      closeCase(c, 'closed', `${ev.source} recovered without (further) action`, ev.ts);
    }
  };

  const onFiring = (ev: AnomalyEvent, step: HealStep) => {
    if (silences.find(ev.source, groupOf(ev.source), ev.ts, 'alarms')) {
      log(`heal: ${ev.source}/${ev.metric} alarm muted by a silence`);
      return;
    }
    const signal = classifier.classify(ev);
    if (!signal) return;
    ladder.failing(ev.source, ev.ts);
    const corr = correlator.add(signal);
    if (corr.how === 'aftermath') {
      log(`heal: ${ev.source}/${ev.metric} is the aftermath of ${corr.incident.id} (${corr.incident.root}), closed`);
      return;
    }
    for (const m of corr.merged) {
      const old = cases.get(m.id);
      if (!old || !isOpen(old)) continue;
      if (old.status === 'awaiting-approval') {
        const p = approvals.take(old.current?.plan[0]?.id ?? '');
        if (p)
          emitActions(
            step,
            p.plan.map((a) =>
              withDecision(
                a,
                'rejected',
                [`merged into incident ${corr.incident.id} rooted at ${corr.incident.root}`],
                ev.ts,
              ),
            ),
          );
      }
      closeCase(old, 'closed', `merged into ${corr.incident.id} (root ${corr.incident.root})`, ev.ts);
    }
    const inc = corr.incident;
    let c = cases.get(inc.id);
    if (!c) {
      c = {
        id: inc.id,
        incident: inc,
        fault: faultOf(inc),
        status: 'pending',
        notBefore: inc.openedAt + config.correlation.groupWait,
        attempt: 0,
        tried: new Map(),
        current: undefined,
        skippedBy: new Set(),
        forceEscalate: false,
        waitingForLeadership: false,
        rootFiring: new Set(),
        closedAt: undefined,
        closedReason: undefined,
      };
      cases.set(c.id, c);
      for (const s of inc.signals)
        if (s.event.source === inc.root) c.rootFiring.add(seriesId(s.event.source, s.event.metric));
    }
    if (ev.source === inc.root) c.rootFiring.add(seriesId(ev.source, ev.metric));
    c.fault = faultOf(inc);
    emitFault(step, c.fault);
  };

  const engine: HealEngine = {
    id: coordinator.id,
    config,
    onAnomaly(input) {
      return serial(async (step) => {
        const ev = parse(AnomalyEvent, input, 'anomaly');
        advance(ev.ts);
        if (ev.state === 'resolved') onResolved(ev, step);
        else onFiring(ev, step);
        await decide(clock(), step);
      });
    },
    onScores(input) {
      return serial(async (step) => {
        const batch = parse(SeriesScores, input, 'scores');
        for (const p of batch.points) {
          latest.observe(batch.source, batch.metric, p.ts, p.value);
          advance(p.ts);
        }
        for (const v of verifier.observeScores(batch)) finishWatch(v, step);
        await decide(clock(), step);
      });
    },
    onOutcome(input) {
      return serial(async (step) => {
        const o = parse(OutcomeSchema, input, 'outcome');
        advance(o.verifiedAt);
        const w = watches.get(o.actionId);
        if (w) {
          watches.delete(o.actionId);
          verifier.cancel(o.actionId);
        }
        // a companion action's outcome (details.companionOf) finishes it but teaches the learner nothing
        applyOutcome(o, o.details['companionOf'] === undefined);
        await decide(clock(), step);
      });
    },
    observeAction(input) {
      return serial(async () => {
        const a = parse(ActionSchema, input, 'action');
        if (a.engine === coordinator.id || a.decision !== 'executed') return;
        const c = cases.get(a.faultId);
        if (a.strategy !== 'escalate' && !ledger.isInFlight(a.id) && !handledOutcomes.has(a.id)) {
          ledger.begin({ id: a.id, target: a.target, group: groupOf(a.target) }, a.ts);
          if (a.strategy === 'restart') ladder.recordRestart(a.target, a.ts);
        }
        if (!c || !isOpen(c) || a.target !== c.fault.root || a.attempt < c.attempt) return;
        approvals.take(a.id);
        c.attempt = a.attempt;
        c.current = { strategy: a.strategy, plan: [a], approved: a.mode !== 'automatic' };
        c.skippedBy.clear();
        if (a.strategy === 'escalate') {
          c.status = 'escalated';
          return;
        }
        c.status = 'verifying';
        if (!watches.has(a.id)) {
          watches.set(a.id, { caseId: c.id, plan: [a], fault: c.fault });
          verifier.watch({ key: a.id, series: rootSeries(c), actedAt: a.ts, onsetAt: c.fault.openedAt });
        }
      });
    },
    tick(now) {
      return serial(async (step) => {
        if (now !== undefined) advance(now);
        const t = now ?? clock();
        for (const p of approvals.expire(t)) {
          const c = cases.get(p.caseId);
          const reason = `approval timed out after ${config.approval.timeout / 1000}s: escalating`;
          emitActions(
            step,
            p.plan.map((a) => withDecision(a, 'rejected', [reason], t)),
          );
          if (!c || !isOpen(c)) continue;
          c.tried.set(p.plan[0]?.strategy ?? 'escalate', reason);
          c.attempt = Math.max(c.attempt, p.plan[0]?.attempt ?? 0);
          c.forceEscalate = true;
          c.current = undefined;
          c.status = 'pending';
          c.notBefore = t;
        }
        for (const v of verifier.expire(t)) finishWatch(v, step);
        for (const c of cases.values()) {
          if (
            (c.status === 'escalated' || c.status === 'recommended') &&
            t - c.incident.lastAt >= config.correlation.closeIdle
          ) {
            closeCase(c, 'closed', `no new anomaly for ${config.correlation.closeIdle / 1000}s`, t);
          }
        }
        await decide(t, step);
        ledger.prune(t, Math.max(config.gates.ratePer, config.gates.cooldown, 3_600_000));
      });
    },
    approve(actionId, who) {
      return serial(async (step) => {
        const t = who.now ?? clock();
        const p = approvals.take(actionId);
        if (!p) throw new ApprovalNotFoundError(`no pending approval for action ${actionId}`);
        const c = cases.get(p.caseId);
        const records = p.plan.map((a) => withDecision(a, 'approved', [`approved by ${who.by}`], t));
        emitActions(step, records);
        if (!c || !isOpen(c)) return;
        c.current = { strategy: p.plan[0]?.strategy ?? 'escalate', plan: records, approved: true };
        c.status = 'pending';
        c.notBefore = t;
        await decide(t, step);
      });
    },
    reject(actionId, who) {
      return serial(async (step) => {
        const t = who.now ?? clock();
        const p = approvals.take(actionId);
        if (!p) throw new ApprovalNotFoundError(`no pending approval for action ${actionId}`);
        const reason = `rejected by ${who.by}${who.reason ? `: ${who.reason}` : ''}`;
        emitActions(
          step,
          p.plan.map((a) => withDecision(a, 'rejected', [reason], t)),
        );
        const c = cases.get(p.caseId);
        if (!c || !isOpen(c)) return;
        c.tried.set(p.plan[0]?.strategy ?? 'escalate', reason);
        c.attempt = Math.max(c.attempt, p.plan[0]?.attempt ?? 0);
        c.current = undefined;
        c.status = 'pending';
        c.notBefore = t;
        await decide(t, step);
      });
    },
    addSilence: (s) => silences.add(s),
    removeSilence: (id) => silences.remove(id),
    silences: () => silences.all(),
    cases(o = {}) {
      return [...cases.values()].filter((c) => !o.open || isOpen(c)).map(viewOf);
    },
    pendingApprovals() {
      return approvals.list().map((p) => ({
        id: p.id,
        faultId: p.plan[0]?.faultId ?? '',
        strategy: p.plan[0]?.strategy ?? 'escalate',
        deadline: p.deadline,
        plan: p.plan,
      }));
    },
    learner: () => learner,
    status() {
      const st = coordinator.status();
      return {
        engine: coordinator.id,
        leader: coordinator.isLeader(),
        safeMode: st.safeMode,
        reason: st.reason,
        dryRun: config.dryRun,
        openCases: [...cases.values()].filter(isOpen).length,
        inFlight: ledger.inFlight().length,
        pendingApprovals: approvals.list().length,
        dataTime: Number.isFinite(latestTs) ? latestTs : null,
      };
    },
  };
  return engine;
}
