import { createRng, type Rng } from '../random.js';
import type { FaultKind, FaultSpec } from './faults.js';
import { buildTopology, type Topology, type TopologyCounts } from './topology.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** One entry of a scenario's fault mix: how many, where (node kinds or `primary:<group>`), and their shape. */
interface MixEntry {
  kind: FaultKind;
  count: number;
  /** candidate targets: node kinds (`api`) or `primary:<group>` */
  on: string[];
  /** several nodes failing at once: this many distinct nodes share one onset */
  together?: number;
}

export interface Scenario {
  name: string;
  description: string;
  topology: Topology;
  /** data time of the first warm-up point (midnight UTC) */
  start: number;
  /** warm-up (no faults) before the measured period, sampled every `warmupStepMs` */
  warmupMs: number;
  warmupStepMs: number;
  /** the measured period: faults happen in it, availability is measured over it */
  durationMs: number;
  faults: FaultSpec[];
}

interface ScenarioDef {
  description: string;
  topology: TopologyCounts;
  warmupMs: number;
  durationMs: number;
  mix: MixEntry[];
  /** faults start within [first, durationMs - last] of the measured period */
  first: number;
  last: number;
  /** a node gets no new fault within this long of its previous one */
  nodeGap: number;
  /** onsets are at least this far apart (a `together` set counts once) */
  minGap: number;
  /** all onsets within this long from `first` (a burst); default spread over the period */
  spread?: number;
}

const POOLED = ['api', 'cache', 'worker'];

const STANDARD: ScenarioDef = {
  description: '12 nodes (db and queue primary/backup pairs, 2 caches, 4 APIs, 2 workers), 30 faults over a day',
  topology: {},
  warmupMs: 2 * DAY,
  durationMs: DAY,
  first: 20 * MIN,
  last: 60 * MIN,
  nodeGap: 2 * HOUR,
  minGap: 12 * MIN,
  mix: [
    { kind: 'crash', count: 4, on: POOLED },
    { kind: 'crash', count: 1, on: ['primary:db'] },
    { kind: 'crash', count: 1, on: ['primary:queue'] },
    { kind: 'crash', count: 3, on: POOLED, together: 3 },
    { kind: 'memory_leak', count: 4, on: POOLED },
    { kind: 'memory_leak', count: 1, on: ['primary:db'] },
    { kind: 'memory_leak', count: 1, on: ['primary:queue'] },
    { kind: 'disk_fill', count: 3, on: POOLED },
    { kind: 'disk_fill', count: 1, on: ['primary:db'] },
    { kind: 'cpu_saturation', count: 3, on: ['api', 'worker'] },
    { kind: 'cpu_saturation', count: 1, on: ['primary:db'] },
    { kind: 'latency_spike', count: 3, on: POOLED },
    { kind: 'latency_spike', count: 1, on: ['primary:queue'] },
    { kind: 'partition', count: 1, on: ['primary:db'] },
    { kind: 'partition', count: 1, on: ['primary:queue'] },
    { kind: 'partition', count: 1, on: POOLED },
  ],
};

const QUICK: ScenarioDef = {
  description: '6 nodes (db pair, 2 caches, 2 APIs), one fault of each kind over 3 hours',
  topology: { db: 2, cache: 2, api: 2, queue: 0, worker: 0 },
  warmupMs: 2 * DAY,
  durationMs: 3 * HOUR,
  first: 15 * MIN,
  last: 30 * MIN,
  nodeGap: HOUR,
  minGap: 15 * MIN,
  mix: [
    { kind: 'crash', count: 1, on: ['api'] },
    { kind: 'memory_leak', count: 1, on: ['primary:db'] },
    { kind: 'disk_fill', count: 1, on: ['api'] },
    { kind: 'cpu_saturation', count: 1, on: ['api'] },
    { kind: 'latency_spike', count: 1, on: ['cache'] },
    { kind: 'partition', count: 1, on: ['primary:db'] },
  ],
};

const BURST: ScenarioDef = {
  description: '12 nodes, 10 faults within 10 minutes, 4 of them at once (blast radius, concurrency, rate limits)',
  topology: {},
  warmupMs: 2 * DAY,
  durationMs: 2 * HOUR,
  first: 20 * MIN,
  last: 60 * MIN,
  nodeGap: HOUR,
  minGap: 30_000,
  spread: 10 * MIN,
  mix: [
    { kind: 'crash', count: 4, on: ['api', 'worker', 'cache'], together: 4 },
    { kind: 'crash', count: 1, on: ['primary:queue'] },
    { kind: 'memory_leak', count: 1, on: ['api', 'worker'] },
    { kind: 'disk_fill', count: 1, on: ['primary:db'] },
    { kind: 'cpu_saturation', count: 1, on: ['api', 'worker'] },
    { kind: 'latency_spike', count: 1, on: ['cache', 'api', 'worker'] },
    { kind: 'partition', count: 1, on: ['api', 'worker', 'cache'] },
  ],
};

const DEFS: Record<string, ScenarioDef> = { standard: STANDARD, quick: QUICK, burst: BURST };

export const SCENARIO_NAMES = Object.keys(DEFS);

/** Default seed of every scenario (the standard scenario's figures are for this seed). */
export const DEFAULT_SEED = 1;

export class UnknownScenarioError extends Error {
  readonly retriable = false;
  override readonly name = 'UsageError';
}

function shape(kind: FaultKind, rng: Rng): Pick<FaultSpec, 'toImpactMs' | 'durationMs' | 'factor'> {
  switch (kind) {
    case 'memory_leak':
      return { toImpactMs: rng.int(8, 18) * MIN };
    case 'disk_fill':
      return { toImpactMs: rng.int(6, 14) * MIN };
    case 'cpu_saturation':
      return { durationMs: rng.int(20, 40) * MIN };
    case 'latency_spike':
      return { durationMs: rng.int(15, 30) * MIN, factor: 3 + rng.int(0, 4) };
    case 'partition':
      return { durationMs: rng.int(4, 10) * MIN };
    case 'crash':
      return {};
  }
}

type Slot = MixEntry;

/** Onsets (ms into the measured period) at least `minGap` apart, or undefined when they do not fit. */
function drawOnsets(def: ScenarioDef, n: number, rng: Rng): number[] | undefined {
  const from = def.first;
  const to = def.spread !== undefined ? def.first + def.spread : def.durationMs - def.last;
  const onsets: number[] = [];
  for (let tries = 0; onsets.length < n && tries < 100_000; tries++) {
    const at = Math.round((from + rng.next() * (to - from)) / 1000) * 1000;
    if (onsets.every((o) => Math.abs(o - at) >= def.minGap)) onsets.push(at);
  }
  return onsets.length < n ? undefined : onsets.sort((a, b) => a - b);
}

function shuffled<T>(items: T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * One attempt at a schedule: each slot takes the first unused onset (in random order) where enough of
 * its candidate nodes are free (no fault within `nodeGap`); undefined when a slot finds none.
 */
function place(def: ScenarioDef, topology: Topology, slots: Slot[], t0: number, rng: Rng): FaultSpec[] | undefined {
  const onsets = drawOnsets(def, slots.length, rng);
  if (!onsets) return undefined;
  const taken = new Map<string, number[]>();
  const membersOf = (group: string) => topology.nodes.filter((x) => x.group === group).map((x) => x.name);
  const pick = (e: MixEntry, at: number): string[] => {
    const free = (node: string) => (taken.get(node) ?? []).every((t) => Math.abs(at - t) >= def.nodeGap);
    const picked: string[] = [];
    for (let n = 0; n < (e.together ?? 1); n++) {
      const options: string[] = [];
      for (const on of e.on) {
        if (on.startsWith('primary:')) {
          // the primary may have moved by then (failover): the whole group must be free
          const members = membersOf(on.slice(8));
          if (members.length > 0 && !picked.includes(on) && members.every(free)) options.push(on);
        } else {
          for (const x of topology.nodes) {
            if (x.kind === on && free(x.name) && !picked.includes(x.name)) options.push(x.name);
          }
        }
      }
      if (options.length === 0) return [];
      picked.push(rng.pick(options));
    }
    return picked;
  };
  const used = new Set<number>();
  const faults: FaultSpec[] = [];
  for (const slot of slots) {
    const order = shuffled(
      onsets.map((_, i) => i).filter((i) => !used.has(i)),
      rng,
    );
    let chosen: { oi: number; targets: string[] } | undefined;
    for (const oi of order) {
      const targets = pick(slot, onsets[oi] as number);
      if (targets.length === (slot.together ?? 1)) {
        chosen = { oi, targets };
        break;
      }
    }
    if (!chosen) return undefined;
    const at = onsets[chosen.oi] as number;
    used.add(chosen.oi);
    for (const target of chosen.targets) {
      for (const n of target.startsWith('primary:') ? membersOf(target.slice(8)) : [target]) {
        taken.set(n, [...(taken.get(n) ?? []), at]);
      }
      faults.push({ kind: slot.kind, at: t0 + at, target, ...shape(slot.kind, rng) });
    }
  }
  return faults.sort((a, b) => a.at - b.at || (a.target < b.target ? -1 : 1));
}

/**
 * A scenario by name with its fault schedule drawn from `seed`: the same name and seed always give the
 * same cluster, times and targets. Onsets are whole seconds of data time.
 */
export function scenario(name: string, seed = DEFAULT_SEED): Scenario {
  const def = DEFS[name];
  if (!def) {
    throw new UnknownScenarioError(`--scenario: unknown scenario "${name}" (known: ${SCENARIO_NAMES.join(', ')})`);
  }
  const topology = buildTopology(def.topology);
  const start = Date.UTC(2024, 0, 1);
  const t0 = start + def.warmupMs;
  const rng = createRng((seed >>> 0) ^ 0x5eed);
  // one slot per fault (a `together` set is one slot), in random order
  const slots: Slot[] = [];
  for (const e of def.mix) {
    const sets = e.together ? Math.ceil(e.count / e.together) : e.count;
    for (let i = 0; i < sets; i++) slots.push(e);
  }
  const order = shuffled(slots, rng);
  let faults: FaultSpec[] | undefined;
  for (let attempt = 0; attempt < 200 && !faults; attempt++) faults = place(def, topology, order, t0, rng);
  if (!faults) throw new RangeError(`scenario ${name}: cannot place its faults (seed ${seed})`);
  return {
    name,
    description: def.description,
    topology,
    start,
    warmupMs: def.warmupMs,
    warmupStepMs: 60_000,
    durationMs: def.durationMs,
    faults,
  };
}
