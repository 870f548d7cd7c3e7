import type { Action, Strategy } from '../../../../src/contracts/action.js';
import type { MetricPoint } from '../../../../src/contracts/metric.js';
import { SCHEMA_VERSION } from '../../../../src/contracts/version.js';
import { Cluster } from '../../../../src/sim/cluster/cluster.js';
import { buildTopology, type TopologyCounts } from '../../../../src/sim/cluster/topology.js';

export const T0 = Date.UTC(2024, 0, 3, 10);
export const S = 1000;
export const MIN = 60_000;

/** A cluster stepped once at T0 (db pair, one cache, two APIs by default). */
export function cluster(counts: TopologyCounts = { db: 2, cache: 1, api: 2, queue: 0, worker: 0 }, seed = 1): Cluster {
  const c = new Cluster({ topology: buildTopology(counts), seed });
  c.step(T0);
  return c;
}

/** Steps the cluster every second from its current time to `to` (inclusive); the points of the last step. */
export function stepTo(c: Cluster, to: number): MetricPoint[] {
  let last: MetricPoint[] = [];
  for (let ts = (c.now() ?? T0) + S; ts <= to; ts += S) last = c.step(ts);
  return last;
}

/** One metric of one node in a step's points (undefined: not reported). */
export function metricOf(points: readonly MetricPoint[], source: string, metric: string): number | null | undefined {
  return points.find((p) => p.source === source && p.metric === metric)?.value;
}

let n = 0;

/** An executed action as the heal engine would send it. */
export function action(strategy: Strategy, target: string, params: Record<string, unknown> = {}, id?: string): Action {
  n += 1;
  return {
    v: SCHEMA_VERSION,
    id: id ?? `act-${strategy}-${target}-${n}`,
    faultId: 'flt-test',
    strategy,
    target,
    params,
    fencingToken: 7,
    mode: 'automatic',
    decision: 'executed',
    reasons: [],
    dryRun: false,
    ts: T0,
    attempt: 1,
    engine: 'test',
    actuator: 'sim',
  };
}
