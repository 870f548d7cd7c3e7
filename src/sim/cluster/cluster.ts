import type { Action, Strategy } from '../../contracts/action.js';
import type { MetricPoint } from '../../contracts/metric.js';
import { SCHEMA_VERSION } from '../../contracts/version.js';
import type { ActuatorResult } from '../../heal/actuators/actuator.js';
import { canFix, type FaultSpec, type FaultTruth } from './faults.js';
import { NodeState, type Noise } from './node.js';
import { type ClusterMetric, dailyLoad, PROFILES } from './profiles.js';
import type { GroupSpec, Topology } from './topology.js';

/** How fast the simulated system reacts (data time). */
export interface ClusterTimings {
  /** the load balancer ejects a member that stopped answering after this long */
  ejectAfterMs: number;
  /** a scrape of an unreachable node times out (up = 0) after this long */
  scrapeTimeoutMs: number;
  /** promoting a backup */
  promoteMs: number;
  reallocateMs: number;
  redistributeMs: number;
  throttleMs: number;
  circuitBreakMs: number;
  /** a paged operator repairs the node this long after the page */
  operatorMs: number;
  /** load moved to a reallocation's destination stays there this long */
  extraLoadMs: number;
}

export const DEFAULT_TIMINGS: ClusterTimings = {
  ejectAfterMs: 3_000,
  scrapeTimeoutMs: 2_000,
  promoteMs: 1_000,
  reallocateMs: 3_000,
  redistributeMs: 1_000,
  throttleMs: 1_000,
  circuitBreakMs: 500,
  operatorMs: 10 * 60_000,
  extraLoadMs: 10 * 60_000,
};

export interface ClusterOptions {
  topology: Topology;
  seed: number;
  timings?: Partial<ClusterTimings>;
}

/**
 * What an applied action did, judged against the ground truth at the moment it was applied:
 * fix — its target had an active fault this strategy can fix; wrong — no active fault on the target, or
 * a strategy that cannot fix any of them; duplicate — the same strategy was already applied to the same
 * target for the same fault (or the same action id twice); page / false-page — escalation with or
 * without a fault on the target.
 */
export type ActionVerdict = 'fix' | 'wrong' | 'duplicate' | 'page' | 'false-page';

export interface AppliedAction {
  id: string;
  faultId: string;
  strategy: Strategy;
  target: string;
  at: number;
  verdict: ActionVerdict;
  /** ground-truth faults active on the target when it was applied */
  faults: string[];
  reason: string;
}

/** A snapshot of one node, for tests and the HTTP endpoint. */
export interface NodeView {
  name: string;
  kind: string;
  group: string;
  primary: boolean;
  down: boolean;
  reachable: boolean;
  inRotation: boolean;
  weight: number;
  conditions: string[];
}

export interface Availability {
  /** node-seconds measured, and those lost (each node weighted by the share of its requests that failed) */
  nodeSeconds: number;
  unavailableNodeSeconds: number;
  /** 1 − unavailable / measured (1 when nothing was measured) */
  availability: number;
  /** node-seconds lost per node (nodes that lost none are left out) */
  byNode: Record<string, number>;
}

const OOM_AT = 97;
const DISK_FULL_AT = 99;
const TIMEOUT_MS = 1_000;
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

interface Effect {
  at: number;
  seq: number;
  run: () => void;
}

interface GroupRt {
  spec: GroupSpec;
  members: NodeState[];
  primary: string | undefined;
  /** a promotion in progress: the group has no serving primary until `at` */
  promoting: { to: string; at: number } | undefined;
}

/**
 * A simulated cluster in data time: `step(ts)` advances it and returns that instant's metric points;
 * `inject` starts a fault; `apply` carries out a heal action (the `sim` actuator and the HTTP endpoint
 * both call it). Deterministic: the same seed, faults and actions at the same data times give the same
 * points. It keeps the ground truth of every fault and every action for the scorecard.
 */
export class Cluster {
  readonly topology: Topology;
  readonly timings: ClusterTimings;
  private readonly nodes = new Map<string, NodeState>();
  private readonly groups = new Map<string, GroupRt>();
  /** groups in dependency order (what a group needs comes first) */
  private readonly order: GroupRt[];
  private readonly truths: FaultTruth[] = [];
  private readonly byId = new Map<string, FaultTruth>();
  private readonly applied: AppliedAction[] = [];
  private readonly seenIds = new Set<string>();
  private readonly seenKeys = new Set<string>();
  private effects: Effect[] = [];
  private seq = 0;
  private lastTs: number | undefined;
  /** each node's share of failed requests during the last step (for availability) */
  private readonly lastU = new Map<string, number>();
  private measureFrom: number | undefined;
  private measuredMs = 0;
  private lostNodeMs = 0;
  private readonly lostByNode = new Map<string, number>();

  constructor(opts: ClusterOptions) {
    this.topology = opts.topology;
    this.timings = { ...DEFAULT_TIMINGS, ...opts.timings };
    const specs = new Map(opts.topology.groups.map((g) => [g.name, g]));
    opts.topology.nodes.forEach((n, i) => {
      const g = specs.get(n.group);
      if (!g) throw new RangeError(`node ${n.name}: unknown group ${n.group}`);
      this.nodes.set(n.name, new NodeState(n, g, PROFILES[n.kind], (opts.seed >>> 0) * 1009 + i * 7919 + 1));
    });
    for (const g of opts.topology.groups) {
      this.groups.set(g.name, {
        spec: g,
        members: g.members.map((m) => this.nodes.get(m) as NodeState),
        primary: g.mode === 'replicated' ? g.members[0] : undefined,
        promoting: undefined,
      });
    }
    this.order = [];
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const g = this.groups.get(name);
      if (!g) return;
      for (const d of g.spec.dependsOn) visit(d);
      this.order.push(g);
    };
    for (const g of opts.topology.groups) visit(g.name);
  }

  // ---- reading ---------------------------------------------------------------------------------

  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  primaryOf(group: string): string | undefined {
    return this.groups.get(group)?.primary;
  }

  faults(): readonly FaultTruth[] {
    return this.truths;
  }

  actions(): readonly AppliedAction[] {
    return this.applied;
  }

  now(): number | undefined {
    return this.lastTs;
  }

  /** Faults on `node` not recovered at `ts` (recovery scheduled later still counts as active). */
  activeFaults(ts: number, node?: string): FaultTruth[] {
    return this.truths.filter(
      (f) => (node === undefined || f.node === node) && (f.recoveredAt === undefined || f.recoveredAt > ts),
    );
  }

  /** Nothing wrong and nothing pending: a runner may take longer steps. */
  quiet(ts: number): boolean {
    if (this.effects.length > 0) return false;
    if (this.activeFaults(ts).length > 0) return false;
    for (const g of this.groups.values()) if (g.promoting) return false;
    for (const n of this.nodes.values()) {
      if (!n.serving(ts) || n.weight !== 1) return false;
    }
    return true;
  }

  view(name: string, ts = this.lastTs ?? 0): NodeView {
    const n = this.nodes.get(name);
    if (!n) throw new RangeError(`unknown node ${name}`);
    const g = this.groups.get(n.spec.group) as GroupRt;
    const conditions: string[] = [];
    if (n.crashed) conditions.push('crashed');
    if (n.isRestarting(ts)) conditions.push('restarting');
    if (n.leak) conditions.push('memory_leak');
    if (n.diskFill) conditions.push(n.diskFill.full ? 'disk_full' : 'disk_fill');
    if (n.surge) conditions.push('cpu_saturation');
    if (n.spike) conditions.push('latency_spike');
    if (n.partition) conditions.push('partition');
    return {
      name,
      kind: n.spec.kind,
      group: n.spec.group,
      primary: g.primary === name,
      down: n.isDown(ts),
      reachable: n.reachable(),
      inRotation: this.inRotation(n, ts),
      weight: n.weight,
      conditions,
    };
  }

  /** Starts measuring availability at `ts`. */
  measureAvailabilityFrom(ts: number): void {
    this.measureFrom = ts;
  }

  availability(): Availability {
    const nodeSeconds = this.measuredMs / 1000;
    const lost = this.lostNodeMs / 1000;
    return {
      nodeSeconds,
      unavailableNodeSeconds: lost,
      availability: nodeSeconds > 0 ? 1 - lost / nodeSeconds : 1,
      byNode: Object.fromEntries([...this.lostByNode].map(([n, ms]) => [n, Math.round(ms / 100) / 10])),
    };
  }

  // ---- faults ----------------------------------------------------------------------------------

  /** Starts a fault now (`spec.at`); `primary:<group>` targets that group's primary. */
  inject(spec: FaultSpec): FaultTruth {
    const name = spec.target.startsWith('primary:') ? this.primaryOf(spec.target.slice(8)) : spec.target;
    const n = name === undefined ? undefined : this.nodes.get(name);
    if (!n || name === undefined) throw new RangeError(`inject ${spec.kind}: unknown target ${spec.target}`);
    const g = this.groups.get(n.spec.group) as GroupRt;
    const at = spec.at;
    const id = `${spec.kind}@${name}@${at}`;
    const t: FaultTruth = {
      id,
      kind: spec.kind,
      node: name,
      mode: g.spec.mode,
      primary: g.primary === name,
      onset: at,
      impactAt: at,
      impactedAt: at,
      endsAt: undefined,
      firstFixAt: undefined,
      firstFixStrategy: undefined,
      escalatedAt: undefined,
      recoveredAt: undefined,
      recoveredBy: undefined,
      recoveredWith: undefined,
    };
    const p = n.profile;
    const level = 1 + (dailyLoad(at) - 1) / 0.3;
    switch (spec.kind) {
      case 'crash':
        n.crashed = id;
        break;
      case 'memory_leak': {
        const ms = spec.toImpactMs ?? 10 * 60_000;
        const now = p.mem + p.memSwing * (level - 1) + n.memDrift;
        n.leak = { fault: id, rate: Math.max(0, OOM_AT - now) / ms, since: at, impactAt: at + ms };
        t.impactAt = at + ms;
        t.impactedAt = undefined;
        break;
      }
      case 'disk_fill': {
        const ms = spec.toImpactMs ?? 10 * 60_000;
        const now = p.disk + p.diskSwing * (level - 1);
        n.diskFill = {
          fault: id,
          rate: Math.max(0, DISK_FULL_AT - now) / ms,
          since: at,
          impactAt: at + ms,
          full: false,
        };
        t.impactAt = at + ms;
        t.impactedAt = undefined;
        break;
      }
      case 'cpu_saturation':
        n.surge = { fault: id, until: at + (spec.durationMs ?? 30 * 60_000) };
        t.endsAt = n.surge.until;
        break;
      case 'latency_spike':
        n.spike = { fault: id, factor: spec.factor ?? 5, until: at + (spec.durationMs ?? 20 * 60_000) };
        t.endsAt = n.spike.until;
        break;
      case 'partition':
        n.partition = { fault: id, since: at, until: at + (spec.durationMs ?? 8 * 60_000) };
        t.endsAt = n.partition.until;
        break;
    }
    this.truths.push(t);
    this.byId.set(id, t);
    return t;
  }

  // ---- actions ---------------------------------------------------------------------------------

  /** Carries out a heal action at data time `now` (idempotent by action id). */
  apply(action: Action, now: number): ActuatorResult {
    if (this.seenIds.has(action.id)) {
      return { details: { note: 'already applied' }, duplicate: true };
    }
    this.seenIds.add(action.id);
    const n = this.nodes.get(action.target);
    if (!n) {
      this.record(action, now, 'wrong', [], 'unknown target');
      return { details: { error: `unknown target ${action.target}` }, success: false };
    }
    const g = this.groups.get(n.spec.group) as GroupRt;
    const isPrimary = g.primary === n.spec.name;
    const active = this.truths.filter((f) => f.node === n.spec.name && f.recoveredAt === undefined);
    const pending = this.truths.filter(
      (f) => f.node === n.spec.name && f.recoveredAt !== undefined && f.recoveredAt > now,
    );
    const s = action.strategy;
    const fixable = active.filter((f) => canFix(f.kind, s, g.spec.mode, isPrimary));

    if (s === 'escalate') {
      for (const f of active) f.escalatedAt ??= now;
      this.record(
        action,
        now,
        active.length > 0 ? 'page' : 'false-page',
        active.map((f) => f.id),
        'page',
      );
      this.later(now + this.timings.operatorMs, () => this.operatorRepair(n, now + this.timings.operatorMs));
      return { details: { paged: true, operatorInMs: this.timings.operatorMs } };
    }

    let verdict: ActionVerdict;
    let reason: string;
    const keyOf = (f: FaultTruth) => `${f.id}|${s}|${n.spec.name}`;
    const fresh = fixable.filter((f) => !this.seenKeys.has(keyOf(f)));
    if (fresh.length > 0) {
      verdict = 'fix';
      reason = `${s} fixes ${fresh.map((f) => f.kind).join(', ')}`;
    } else if (active.some((f) => this.seenKeys.has(keyOf(f)))) {
      verdict = 'duplicate';
      reason = `${s} was already applied to ${n.spec.name} for this fault`;
    } else if (active.length === 0) {
      const dup = pending.find((f) => f.recoveredWith === s);
      verdict = dup ? 'duplicate' : 'wrong';
      reason = dup ? `${dup.id} is already being fixed by ${s}` : `no active fault on ${n.spec.name}`;
    } else {
      verdict = 'wrong';
      reason = `${s} cannot fix ${active.map((f) => f.kind).join(', ')} on ${n.spec.name}`;
    }
    for (const f of active) this.seenKeys.add(keyOf(f));
    this.record(
      action,
      now,
      verdict,
      active.map((f) => f.id),
      reason,
    );

    const effect = this.effectOf(action, n, g, now);
    if (!effect.ok) return { details: { error: effect.reason }, success: false };
    for (const f of fixable) {
      f.firstFixAt ??= now;
      f.firstFixStrategy ??= s;
      if (effect.recoversAt !== undefined && f.recoveredAt === undefined) {
        f.recoveredAt = effect.recoversAt;
        f.recoveredBy = 'action';
        f.recoveredWith = s;
      }
    }
    return { details: { applied: s, target: n.spec.name, effectInMs: (effect.recoversAt ?? now) - now } };
  }

  private record(a: Action, now: number, verdict: ActionVerdict, faults: string[], reason: string): void {
    this.applied.push({
      id: a.id,
      faultId: a.faultId,
      strategy: a.strategy,
      target: a.target,
      at: now,
      verdict,
      faults,
      reason,
    });
  }

  private later(at: number, run: () => void): void {
    this.effects.push({ at, seq: this.seq++, run });
    this.effects.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** The physics of one action; `recoversAt` = when the faults it can fix are over. */
  private effectOf(
    a: Action,
    n: NodeState,
    g: GroupRt,
    now: number,
  ): { ok: true; recoversAt: number | undefined } | { ok: false; reason: string } {
    const t = this.timings;
    const dest = typeof a.params['destination'] === 'string' ? this.nodes.get(a.params['destination']) : undefined;
    switch (a.strategy) {
      case 'restart': {
        const until = now + n.profile.restartMs;
        n.crashed = undefined;
        n.leak = undefined;
        n.diskFill = undefined;
        n.downUntil = Math.max(n.downUntil, until);
        return { ok: true, recoversAt: until };
      }
      case 'failover': {
        if (g.spec.mode !== 'replicated' || g.primary !== n.spec.name) {
          return { ok: false, reason: `${n.spec.name} is not the primary of ${g.spec.name}` };
        }
        const to =
          dest && dest.spec.group === g.spec.name && dest !== n
            ? dest
            : g.members.find((m) => m !== n && m.serving(now));
        if (!to) return { ok: false, reason: `no backup to promote in ${g.spec.name}` };
        const at = now + t.promoteMs;
        g.promoting = { to: to.spec.name, at };
        g.primary = undefined;
        this.later(at, () => {
          g.primary = to.spec.name;
          g.promoting = undefined;
        });
        // the old primary is rebuilt as the new backup (its own faults go with the old instance)
        const local = n.crashed || n.leak || n.diskFill || n.surge || n.spike;
        n.crashed = undefined;
        n.leak = undefined;
        n.diskFill = undefined;
        n.surge = undefined;
        n.spike = undefined;
        if (local && n.reachable()) n.downUntil = Math.max(n.downUntil, now + n.profile.restartMs);
        return { ok: true, recoversAt: to.serving(now) ? at : undefined };
      }
      case 'reallocate': {
        const at = now + t.reallocateMs;
        this.later(at, () => {
          if (n.surge && dest && dest !== n) {
            dest.extraLoad = 0.25;
            dest.extraLoadUntil = at + t.extraLoadMs;
          }
          n.surge = undefined;
          n.spike = undefined;
          n.diskFill = undefined;
          if (n.partition && g.spec.mode === 'pooled') this.drain(n);
        });
        return { ok: true, recoversAt: at };
      }
      case 'redistribute': {
        const at = now + t.redistributeMs;
        this.later(at, () => {
          n.surge = undefined;
          n.spike = undefined;
          if (n.partition && g.spec.mode === 'pooled') this.drain(n);
        });
        return { ok: true, recoversAt: at };
      }
      case 'throttle': {
        const at = now + t.throttleMs;
        this.later(at, () => {
          n.surge = undefined;
        });
        return { ok: true, recoversAt: at };
      }
      case 'circuit_break': {
        const at = now + t.circuitBreakMs;
        this.later(at, () => {
          if (n.partition && g.spec.mode === 'pooled') this.drain(n);
        });
        return { ok: true, recoversAt: at };
      }
      case 'escalate':
        return { ok: true, recoversAt: undefined };
    }
  }

  private drain(n: NodeState): void {
    n.weight = 0;
    n.drainedForPartition = true;
  }

  private operatorRepair(n: NodeState, at: number): void {
    const wasDown = n.isDown(at) || !n.reachable();
    n.crashed = undefined;
    n.leak = undefined;
    n.diskFill = undefined;
    n.surge = undefined;
    n.spike = undefined;
    if (n.partition) this.healPartition(n);
    if (wasDown) n.downUntil = Number.NEGATIVE_INFINITY;
    for (const f of this.truths) {
      if (f.node === n.spec.name && (f.recoveredAt === undefined || f.recoveredAt > at)) {
        f.recoveredAt = at;
        f.recoveredBy = 'operator';
        f.recoveredWith = undefined;
      }
    }
  }

  private healPartition(n: NodeState): void {
    n.partition = undefined;
    if (n.drainedForPartition) {
      n.weight = 1;
      n.drainedForPartition = false;
    }
  }

  /** A fault that ends by itself at `at` (unless something ended it sooner). */
  private endedByItself(id: string, at: number): void {
    const f = this.byId.get(id);
    if (!f) return;
    if (f.recoveredAt === undefined || f.recoveredAt > at) {
      f.recoveredAt = at;
      f.recoveredBy = 'itself';
      f.recoveredWith = undefined;
    }
  }

  // ---- time ------------------------------------------------------------------------------------

  private inRotation(n: NodeState, ts: number): boolean {
    if (n.group.mode === 'replicated') {
      const g = this.groups.get(n.spec.group) as GroupRt;
      return g.primary === n.spec.name;
    }
    if (n.weight <= 0 || n.isRestarting(ts)) return false;
    if (n.serving(ts)) return true;
    return n.unservingSince !== undefined && ts - n.unservingSince < this.timings.ejectAfterMs;
  }

  private transitions(ts: number): void {
    while (this.effects.length > 0 && (this.effects[0] as Effect).at <= ts) {
      (this.effects.shift() as Effect).run();
    }
    for (const n of this.nodes.values()) {
      if (n.leak && ts >= n.leak.impactAt && !n.isDown(ts)) {
        const f = this.byId.get(n.leak.fault);
        if (f) f.impactedAt ??= n.leak.impactAt;
        n.crashed = n.leak.fault;
        n.leak = undefined;
      }
      if (n.diskFill && !n.diskFill.full && ts >= n.diskFill.impactAt) {
        n.diskFill.full = true;
        const f = this.byId.get(n.diskFill.fault);
        if (f) f.impactedAt ??= n.diskFill.impactAt;
      }
      if (n.surge && ts >= n.surge.until) {
        this.endedByItself(n.surge.fault, n.surge.until);
        n.surge = undefined;
      }
      if (n.spike && ts >= n.spike.until) {
        this.endedByItself(n.spike.fault, n.spike.until);
        n.spike = undefined;
      }
      if (n.partition && ts >= n.partition.until) {
        this.endedByItself(n.partition.fault, n.partition.until);
        this.healPartition(n);
      }
      if (ts >= n.extraLoadUntil) n.extraLoad = 0;
      if (n.serving(ts)) n.unservingSince = undefined;
      else n.unservingSince ??= ts;
    }
  }

  /** Advances the cluster to data time `ts` (not before the previous step) and returns its points. */
  step(ts: number): MetricPoint[] {
    if (this.lastTs !== undefined && ts < this.lastTs) {
      throw new RangeError(`step(${ts}): data time cannot go back (last ${this.lastTs})`);
    }
    const dt = this.lastTs === undefined ? 0 : ts - this.lastTs;
    if (this.measureFrom !== undefined && this.lastTs !== undefined && this.lastTs >= this.measureFrom) {
      this.measuredMs += dt * this.nodes.size;
      for (const [node, u] of this.lastU) {
        if (u <= 0) continue;
        this.lostNodeMs += dt * u;
        this.lostByNode.set(node, (this.lostByNode.get(node) ?? 0) + dt * u);
      }
    }
    this.lastTs = ts;
    this.transitions(ts);

    const load = dailyLoad(ts);
    const level = 1 + (load - 1) / 0.3;
    const noise = new Map<string, Noise>();
    for (const n of this.nodes.values()) noise.set(n.spec.name, n.advance(dt));

    /** per group: share of requests failing, and mean latency seen by callers */
    const groupFail = new Map<string, number>();
    const groupLatency = new Map<string, number>();
    const values = new Map<string, Partial<Record<ClusterMetric, number>>>();

    for (const g of this.order) {
      const rotation = g.members.filter((m) => this.inRotation(m, ts));
      const weights = rotation.map((m) => (g.spec.mode === 'pooled' ? m.weight : 1));
      const total = weights.reduce((a, b) => a + b, 0);
      let fail = 0;
      let latency = 0;
      const depFail = g.spec.dependsOn.map((d) => groupFail.get(d) ?? 0);
      const depLatency = g.spec.dependsOn.reduce(
        (acc, d, i) =>
          acc + (1 - (depFail[i] as number)) * (groupLatency.get(d) ?? 0) + (depFail[i] as number) * TIMEOUT_MS,
        0,
      );
      const depOk = depFail.reduce((acc, f) => acc * (1 - f), 1);
      for (const m of g.members) {
        const z = noise.get(m.spec.name) as Noise;
        const p = m.profile;
        const idx = rotation.indexOf(m);
        const share = idx >= 0 && total > 0 ? (weights[idx] as number) / total : 0;
        const lf =
          (g.spec.mode === 'pooled' ? load * share * g.members.length : idx >= 0 ? load : 0.25 * load) + m.extraLoad;
        // utilisation drives queueing; the sample adds measurement noise on top
        let busy = p.cpuIdle + (p.cpuNominal - p.cpuIdle) * lf + m.cpuDrift;
        if (m.spike) busy += 8;
        if (m.surge) busy = 98;
        busy = clamp(busy, 0, 100);
        const cpu = m.surge ? clamp(97.5 + 1.2 * Math.abs(z.cpu), 0, 100) : clamp(busy + p.cpuNoise * z.cpu, 0, 100);
        let mem = p.mem + p.memSwing * (level - 1) + m.memDrift + p.memNoise * z.mem;
        if (m.leak) mem += m.leak.rate * (ts - m.leak.since);
        mem = clamp(mem, 0, 100);
        let disk = p.disk + p.diskSwing * (level - 1) + p.diskNoise * z.disk;
        if (m.diskFill) disk = m.diskFill.full ? 100 : disk + m.diskFill.rate * (ts - m.diskFill.since);
        disk = clamp(disk, 0, 100);
        const rho0 = p.cpuNominal / 100;
        const rho = Math.min(busy / 100, 0.985);
        const queueing = Math.min(30, Math.max(0.5, (1 - rho0) / (1 - rho)));
        let own = p.latency * queueing * (1 + m.latDrift) * (1 + p.latencyNoise * z.latency);
        if (m.spike) own *= m.spike.factor;
        own = Math.max(0.05, own);

        const serving = m.serving(ts);
        let uOwn = 0;
        if (!serving) uOwn = 1;
        else {
          if (m.diskFill?.full) uOwn = Math.max(uOwn, m.spec.kind === 'db' || m.spec.kind === 'queue' ? 1 : 0.5);
          if (cpu >= 97) uOwn = Math.max(uOwn, 0.12);
          if (m.spike) uOwn = Math.max(uOwn, 0.03);
          if (mem >= 93) uOwn = Math.max(uOwn, 0.02 * (mem - 92));
        }
        const u = 1 - (1 - uOwn) * depOk;
        if (idx >= 0) {
          fail += share * u;
          latency += share * (own + p.callShare * depLatency);
        }
        // availability: requests routed to this node that fail
        let lost = idx >= 0 ? u : 0;
        if (g.spec.mode === 'pooled' && rotation.length === 0) lost = 1;
        if (g.spec.mode === 'replicated' && g.primary === undefined && m.spec.name === g.promoting?.to) lost = 1;
        this.lastU.set(m.spec.name, lost);

        const v: Partial<Record<ClusterMetric, number>> = {};
        if (m.isDown(ts)) v.up = 0;
        else if (m.partition) {
          if (ts - m.partition.since >= this.timings.scrapeTimeoutMs) v.up = 0;
        } else v.up = 1;
        v.packet_loss = m.partition ? 100 : Math.max(0, 0.03 + 0.015 * z.loss);
        if (serving) {
          v.mem = round4(mem);
          v.disk = round4(disk);
          v.cpu = round4(cpu);
          v.latency_ms = round4(own + p.callShare * depLatency);
          v.error_rate = round4(clamp(100 * u + p.errors + p.errorNoise * z.errors, 0, 100));
        }
        values.set(m.spec.name, v);
      }
      if (g.spec.mode === 'pooled') {
        groupFail.set(g.spec.name, rotation.length === 0 ? 1 : clamp(fail, 0, 1));
      } else {
        const primary = g.primary === undefined ? undefined : this.nodes.get(g.primary);
        groupFail.set(g.spec.name, primary && rotation.length > 0 ? clamp(fail, 0, 1) : 1);
      }
      groupLatency.set(g.spec.name, latency);
    }

    const points: MetricPoint[] = [];
    for (const n of this.nodes.values()) {
      const v = values.get(n.spec.name) ?? {};
      for (const metric of ['up', 'packet_loss', 'mem', 'disk', 'cpu', 'latency_ms', 'error_rate'] as const) {
        const x = v[metric];
        if (x === undefined) continue;
        points.push({ v: SCHEMA_VERSION, ts, source: n.spec.name, metric, value: round4(x) });
      }
    }
    return points;
  }
}
