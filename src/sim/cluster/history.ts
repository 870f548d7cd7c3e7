import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Action } from '../../contracts/action.js';
import type { FaultSample } from '../../contracts/samples.js';
import { SCHEMA_VERSION } from '../../contracts/version.js';
import { createRng } from '../random.js';
import { Cluster } from './cluster.js';
import { EXHAUSTION_KINDS, type FaultKind } from './faults.js';
import { buildTopology } from './topology.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface HistoryOptions {
  /** seed of the cluster and the faults (keep it apart from the seeds scenarios are scored with) */
  seed?: number;
  days?: number;
  stepMs?: number;
}

export interface History {
  /** JSONL lines of MetricPoints, in time order */
  points: string[];
  /** resource-exhaustion faults: start = the impact (OOM, disk full), end = the repair */
  faults: FaultSample[];
  /** every fault injected, of every kind */
  injected: number;
}

/**
 * Training history for a fault predictor, from the simulated 12-node cluster with nobody acting: a fault
 * every 20–60 minutes on a random node (every kind; leaks and disk fills twice as often), each left to
 * run into its impact and repaired by an operator 10 minutes later. Labels are the resource-exhaustion
 * faults, starting at their impact, so a model learns their precursor (the climb before it).
 */
export function generateHistory(opts: HistoryOptions = {}): History {
  const seed = opts.seed ?? 1001;
  const days = opts.days ?? 5;
  const step = opts.stepMs ?? MIN;
  const topology = buildTopology();
  const cluster = new Cluster({ topology, seed });
  const rng = createRng(seed ^ 0x415);
  const start = Date.UTC(2024, 0, 1);
  const end = start + days * DAY;
  const kinds: FaultKind[] = [
    'memory_leak',
    'memory_leak',
    'disk_fill',
    'disk_fill',
    'crash',
    'cpu_saturation',
    'latency_spike',
    'partition',
  ];
  const plan: Array<{ at: number; kind: FaultKind; target: string; toImpactMs: number; durationMs: number }> = [];
  for (let t = start + 6 * HOUR; t < end - HOUR; t += (20 + rng.int(0, 40)) * MIN) {
    plan.push({
      at: Math.floor(t / step) * step,
      kind: rng.pick(kinds),
      target: rng.pick(topology.nodes).name,
      toImpactMs: rng.int(8, 18) * MIN,
      durationMs: rng.int(10, 30) * MIN,
    });
  }
  const busyUntil = new Map<string, number>();
  const points: string[] = [];
  let p = 0;
  for (let ts = start; ts < end; ts += step) {
    while (p < plan.length && (plan[p]?.at as number) <= ts) {
      const f = plan[p++];
      if (!f || (busyUntil.get(f.target) ?? 0) > ts) continue;
      const t = cluster.inject({ ...f, at: ts });
      busyUntil.set(t.node, ts + HOUR);
    }
    for (const f of cluster.faults()) {
      const due = f.kind === 'crash' || (f.impactedAt !== undefined && ts >= f.impactedAt);
      if (f.recoveredAt === undefined && f.escalatedAt === undefined && due) cluster.apply(page(f.id, f.node, ts), ts);
    }
    for (const x of cluster.step(ts)) {
      points.push(JSON.stringify({ ts: x.ts, source: x.source, metric: x.metric, value: x.value }));
    }
  }
  const faults: FaultSample[] = cluster
    .faults()
    .filter((f) => EXHAUSTION_KINDS.includes(f.kind))
    .map((f) => ({
      v: SCHEMA_VERSION,
      source: f.node,
      start: f.impactAt,
      end: Math.max(f.impactAt, f.recoveredAt ?? f.impactAt),
      type: 'resource_exhaustion' as const,
      severity: 'critical' as const,
    }));
  return { points, faults, injected: cluster.faults().length };
}

function page(faultId: string, target: string, ts: number): Action {
  return {
    v: SCHEMA_VERSION,
    id: `page-${faultId}`,
    faultId,
    strategy: 'escalate',
    target,
    params: {},
    fencingToken: 1,
    mode: 'automatic',
    decision: 'executed',
    reasons: ['history: an operator is paged at the impact'],
    dryRun: false,
    ts,
    attempt: 1,
    engine: 'history',
  };
}

/** Writes `<dir>/metrics.jsonl` and `<dir>/faults.jsonl` in the format `faultline train` reads. */
export async function writeHistory(dir: string, h: History): Promise<{ metrics: string; faults: string }> {
  await mkdir(dir, { recursive: true });
  const metrics = join(dir, 'metrics.jsonl');
  const faults = join(dir, 'faults.jsonl');
  await writeFile(metrics, `${h.points.join('\n')}\n`);
  await writeFile(faults, `${h.faults.map((f) => JSON.stringify(f)).join('\n')}\n`);
  return { metrics, faults };
}
