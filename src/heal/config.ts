import { z } from 'zod';
import { Duration } from '../config/duration.js';
import { ApprovalMode, Strategy } from '../contracts/action.js';
import { Severity } from '../contracts/anomaly.js';
import { FaultType } from '../contracts/fault.js';
import { Timestamp } from '../contracts/metric.js';
import { actuatorConfigSchema } from './actuators/config.js';
import { HealConfigError } from './errors.js';

/** A classification rule: anomalies on matching metrics (and sources) are faults of `type`. First match wins. */
export const FaultRule = z
  .object({
    name: z.string().min(1),
    /** metric name patterns (`*`, `?`), e.g. ["mem*", "heap_*"] */
    metrics: z.array(z.string().min(1)).min(1),
    /** source patterns; empty = every source */
    sources: z.array(z.string().min(1)).default([]),
    type: FaultType,
    /** fault severity by the anomaly's severity (missing entries keep the anomaly's) */
    severity: z.partialRecord(Severity, Severity).default({}),
    /** ignore anomalies scored below this */
    minScore: z.number().min(0).max(1).default(0),
    /**
     * only deviations this way from the expected value (above: a rise, below: a drop) are faults; the
     * other way (e.g. memory falling back after a restart) is not. Events without an expected value match.
     */
    direction: z.enum(['any', 'above', 'below']).default('any'),
    /**
     * false: such an anomaly is its source's own fault (the node is down, its disk is full), never a
     * symptom of a failing dependency, so correlation does not fold it into the dependency's incident
     */
    symptom: z.boolean().default(true),
  })
  .strict();
export type FaultRule = z.output<typeof FaultRule>;

/** The default rules: resource metrics → exhaustion, latency → degradation, errors/availability → unavailable. */
export const DEFAULT_RULES: z.input<typeof FaultRule>[] = [
  { name: 'down', metrics: ['up', 'heartbeat*', 'alive'], type: 'node_failure', severity: { warning: 'critical' } },
  { name: 'partition', metrics: ['packet_loss*', 'net_unreachable*', 'partition*'], type: 'network_partition' },
  { name: 'corruption', metrics: ['checksum*', 'corrupt*', 'replica_lag*'], type: 'data_corruption' },
  { name: 'exhaustion', metrics: ['mem*', 'disk*', 'heap*', 'fd*', 'conn*', 'queue*'], type: 'resource_exhaustion' },
  { name: 'errors', metrics: ['error*', '*5xx*', 'availability*'], type: 'service_unavailability' },
  { name: 'slow', metrics: ['*'], type: 'performance_degradation' },
];

const name = z.string().min(1).max(256);

/** A managed service: what it depends on (for correlation and recovery order). */
export const ServiceConfig = z
  .object({
    dependsOn: z.array(name).default([]),
  })
  .strict();

/** A supervision group (Erlang/OTP): members in start order and the restart strategy. */
export const GroupConfig = z
  .object({
    name,
    /** members in start order (rest-for-one restarts the failed member and those after it) */
    members: z.array(name).min(1),
    supervision: z.enum(['one_for_one', 'all_for_one', 'rest_for_one']).default('one_for_one'),
    /** blast radius: never act on more than this share (%) of the group at once; at least one member */
    maxUnavailablePercent: z.number().min(0).max(100).default(34),
    /** primary/backup group: failover promotes a backup through the coordinator (registry key = name) */
    replicated: z.boolean().default(false),
    /** also restart what depends (transitively) on restarted members, after them */
    restartDependents: z.boolean().default(false),
  })
  .strict();
export type GroupConfig = z.output<typeof GroupConfig>;

/** Which strategies a fault type may use, in escalation order (the ladder); escalate is always the last rung. */
export const FaultPolicy = z
  .object({
    strategies: z.array(Strategy).min(1),
    /** choose among the allowed rungs by learned success (Thompson sampling) instead of the fixed order */
    learn: z.boolean().default(true),
  })
  .strict();
export type FaultPolicy = z.output<typeof FaultPolicy>;

const LADDER: Strategy[] = ['restart', 'reallocate', 'failover', 'escalate'];
export const DEFAULT_POLICIES: Record<FaultType, z.input<typeof FaultPolicy>> = {
  node_failure: { strategies: ['restart', 'failover', 'reallocate', 'escalate'] },
  performance_degradation: { strategies: ['restart', 'reallocate', 'redistribute', 'throttle', 'escalate'] },
  resource_exhaustion: { strategies: LADDER },
  network_partition: { strategies: ['failover', 'circuit_break', 'escalate'] },
  service_unavailability: { strategies: ['restart', 'circuit_break', 'failover', 'escalate'] },
  data_corruption: { strategies: ['failover', 'escalate'], learn: false },
};

export const SilenceConfig = z
  .object({
    id: z.string().min(1).optional(),
    /** target patterns (`*`), and/or group names; both empty = everything */
    targets: z.array(z.string().min(1)).default([]),
    groups: z.array(z.string().min(1)).default([]),
    from: Timestamp,
    to: Timestamp,
    /** alarms: anomalies on the target are ignored; actions: no action on it; both */
    mute: z.enum(['alarms', 'actions', 'both']).default('actions'),
    reason: z.string().default('maintenance'),
  })
  .strict()
  .refine((s) => s.to > s.from, { message: 'to must be after from', path: ['to'] });
export type SilenceConfig = z.output<typeof SilenceConfig>;

const percent = z.number().min(0).max(1);

const HealConfigObject = z
  .object({
    /** decide and record, but never call an actuator */
    dryRun: z.boolean().default(false),
    rules: z.array(FaultRule).min(1).prefault(DEFAULT_RULES),
    /** dependency graph: service → what it depends on */
    services: z.record(name, ServiceConfig).default({}),
    groups: z.array(GroupConfig).default([]),
    correlation: z
      .object({
        /** anomalies within this long of each other (data time) can belong to one incident */
        window: Duration.prefault('2m'),
        /** wait this long after an incident opens before acting, so its cause can show up (Alertmanager group_wait) */
        groupWait: Duration.prefault('15s'),
        /** an escalated or recommended incident with no new anomaly for this long is closed (data time) */
        closeIdle: Duration.prefault('6h'),
        /**
         * anomalies that may be symptoms (rule `symptom: true`: errors, latency, cpu ...) on the other members
         * of an incident root's group are symptoms of it: the load of a failed, restarted or drained member
         * moved to them
         */
        peerSymptoms: z.boolean().default(false),
        /**
         * symptoms (of dependents, or peers with peerSymptoms) arriving this long after an incident closed
         * are its aftermath (a promoted backup taking the load, callers recovering), not a new fault; 0 = off
         */
        aftermath: Duration.prefault('0s'),
      })
      .strict()
      .prefault({}),
    policies: z.partialRecord(FaultType, FaultPolicy).default({}),
    ladder: z
      .object({
        /** OTP restart intensity: at most `maxRestarts` restarts of a target within `period`, then escalate */
        maxRestarts: z.number().int().min(0).default(3),
        period: Duration.prefault('10m'),
        /** Kubernetes-style back-off between restarts of a target: initial, doubling, capped */
        backoffInitial: Duration.prefault('10s'),
        backoffMax: Duration.prefault('5m'),
        /** healthy this long → back-off, restart count and ladder rung reset */
        resetAfter: Duration.prefault('10m'),
      })
      .strict()
      .prefault({}),
    gates: z
      .object({
        /** per-target: no new action on a target within this long of the last one */
        cooldown: Duration.prefault('1m'),
        /** actions in flight (executed, outcome not verified yet) at once (FBAR's cap on repairs) */
        maxConcurrent: z.number().int().min(1).default(5),
        /** at most `rateMax` actions executed per `ratePer` */
        rateMax: z.number().int().min(1).default(20),
        ratePer: Duration.prefault('1m'),
        /** blast radius for targets in no group: at most this many in flight across ungrouped targets */
        maxUngroupedInFlight: z.number().int().min(1).default(10),
        /** how soon a deferred fault is retried when a gate gives no time */
        retryEvery: Duration.prefault('10s'),
      })
      .strict()
      .prefault({}),
    approval: z
      .object({
        mode: ApprovalMode.default('automatic'),
        /** per-strategy mode (e.g. failover: semi-automatic); escalate is always automatic */
        strategies: z.partialRecord(Strategy, ApprovalMode).default({}),
        /** semi-automatic: no approval within this long → rejected and escalated */
        timeout: Duration.prefault('10m'),
      })
      .strict()
      .prefault({}),
    silences: z.array(SilenceConfig).default([]),
    reallocate: z
      .object({
        policy: z.enum(['least-loaded', 'lowest-latency', 'round-robin']).default('least-loaded'),
        loadMetric: z.string().default('cpu'),
        latencyMetric: z.string().default('latency_ms'),
      })
      .strict()
      .prefault({}),
    redundancy: z
      .object({
        quorum: percent.default(0.85),
        activeActive: percent.default(0.7),
        activePassive: percent.default(0.5),
        /** "many dependents" for the active-active/active-passive choice */
        manyDependents: z.number().int().min(0).default(3),
      })
      .strict()
      .prefault({}),
    learner: z
      .object({
        seed: z.number().int().default(1),
        /** time to recover that halves a strategy's score (favours fast fixes among equally good ones) */
        ttrScale: Duration.prefault('1m'),
      })
      .strict()
      .prefault({}),
    verify: z
      .object({
        /** an action that has not brought the metrics back to normal within this long failed */
        window: Duration.prefault('5m'),
        /** a point is normal below this score */
        normalScore: z.number().min(0).max(1).default(0.3),
        /** normal for this long (data time) = recovered */
        healthyFor: Duration.prefault('30s'),
      })
      .strict()
      .prefault({}),
    executor: z
      .object({
        /** wall-clock timeout of one actuator call */
        timeout: Duration.prefault('10s'),
        /** retries of a retriable actuator failure (exponential back-off from `retryInitial`) */
        retries: z.number().int().min(0).max(10).default(2),
        retryInitial: Duration.prefault('200ms'),
        /** consecutive failures that open an actuator's circuit breaker, and when it half-opens */
        breakerFailures: z.number().int().min(1).default(5),
        breakerHalfOpenAfter: Duration.prefault('30s'),
        /** concurrent calls per actuator (bulkhead) and queued calls beyond them */
        bulkhead: z.number().int().min(1).default(10),
        queue: z.number().int().min(0).default(100),
      })
      .strict()
      .prefault({}),
    actuators: z.array(actuatorConfigSchema).default([{ kind: 'sim', name: 'sim' }]),
    /** which actuator runs an action: first matching route; none → the first actuator */
    routes: z
      .array(
        z
          .object({
            strategies: z.array(Strategy).default([]),
            targets: z.array(z.string().min(1)).default([]),
            actuator: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

/** The `heal:` section of a pipeline (defaults filled in; cross-references and the dependency graph checked). */
export const HealConfig = HealConfigObject.superRefine((c, ctx) => {
  for (const issue of referenceIssues(c)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export type HealConfigInput = z.input<typeof HealConfig>;
export type HealConfig = z.output<typeof HealConfigObject>;

/** The policy of a fault type (configured, else the default). */
export function policyFor(config: HealConfig, type: FaultType): FaultPolicy {
  return config.policies[type] ?? FaultPolicy.parse(DEFAULT_POLICIES[type]);
}

/** Parses a heal section; a bad field throws HealConfigError naming `where` and the path. */
export function parseHealConfig(input: unknown, where = 'heal'): HealConfig {
  const parsed = HealConfig.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? `.${issue.path.map(String).join('.')}` : '';
    throw new HealConfigError(`${where}${path}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

interface RefIssue {
  path: Array<string | number>;
  message: string;
}

/** What the field schemas cannot check: unique names, known actuators, one group per member, no dependency cycle. */
function referenceIssues(c: HealConfig): RefIssue[] {
  const out: RefIssue[] = [];
  const actuators = new Set<string>();
  c.actuators.forEach((a, i) => {
    if (actuators.has(a.name)) out.push({ path: ['actuators', i, 'name'], message: `"${a.name}" is used twice` });
    actuators.add(a.name);
  });
  if (actuators.size === 0) out.push({ path: ['actuators'], message: 'at least one actuator is needed' });
  c.routes.forEach((r, i) => {
    if (!actuators.has(r.actuator)) {
      out.push({
        path: ['routes', i, 'actuator'],
        message: `unknown actuator "${r.actuator}" (known: ${[...actuators].join(', ')})`,
      });
    }
  });
  const groupNames = new Set<string>();
  const memberOf = new Map<string, string>();
  c.groups.forEach((g, i) => {
    if (groupNames.has(g.name)) out.push({ path: ['groups', i, 'name'], message: `"${g.name}" is used twice` });
    groupNames.add(g.name);
    g.members.forEach((m, j) => {
      const other = memberOf.get(m);
      if (other !== undefined) {
        out.push({ path: ['groups', i, 'members', j], message: `"${m}" is already a member of group "${other}"` });
      }
      memberOf.set(m, g.name);
    });
    if (g.replicated && g.members.length < 2) {
      out.push({ path: ['groups', i, 'members'], message: 'a replicated group needs a primary and a backup' });
    }
  });
  c.silences.forEach((s, i) => {
    s.groups.forEach((g, j) => {
      if (!groupNames.has(g)) out.push({ path: ['silences', i, 'groups', j], message: `unknown group "${g}"` });
    });
  });
  for (const [svc, s] of Object.entries(c.services)) {
    s.dependsOn.forEach((d, j) => {
      if (d === svc)
        out.push({ path: ['services', svc, 'dependsOn', j], message: 'a service cannot depend on itself' });
    });
  }
  const cycle = findCycle(c.services);
  if (cycle) out.push({ path: ['services'], message: `dependency cycle ${cycle.join(' → ')}` });
  return out;
}

function findCycle(services: HealConfig['services']): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    const st = state.get(n);
    if (st === 'done') return undefined;
    if (st === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of services[n]?.dependsOn ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of Object.keys(services)) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}
