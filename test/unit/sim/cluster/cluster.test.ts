import { describe, expect, it } from 'vitest';
import { MetricPoint } from '../../../../src/contracts/metric.js';
import { Cluster } from '../../../../src/sim/cluster/cluster.js';
import { CLUSTER_METRICS } from '../../../../src/sim/cluster/profiles.js';
import { buildTopology } from '../../../../src/sim/cluster/topology.js';
import { cluster, MIN, metricOf, S, stepTo, T0 } from './helpers.js';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('Cluster metrics', () => {
  it('are deterministic for a seed and differ across seeds', () => {
    const run = (seed: number) => {
      const c = new Cluster({ topology: buildTopology(), seed });
      return Array.from({ length: 200 }, (_, i) => c.step(T0 + i * S));
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('are valid points: every node reports every metric, in data time', () => {
    const c = new Cluster({ topology: buildTopology(), seed: 1 });
    const points = c.step(T0);
    expect(points).toHaveLength(12 * CLUSTER_METRICS.length);
    for (const p of points) expect(MetricPoint.safeParse(p).success).toBe(true);
    expect(new Set(points.map((p) => p.ts))).toEqual(new Set([T0]));
    expect(() => c.step(T0 - 1)).toThrow(RangeError);
  });

  it('follow a daily cycle: API cpu is higher in the afternoon than at night', () => {
    const c = new Cluster({ topology: buildTopology(), seed: 2 });
    const day = Date.UTC(2024, 0, 3);
    const cpuAround = (hour: number) => {
      const xs: number[] = [];
      for (let i = 0; i < 120; i++) xs.push(metricOf(c.step(day + hour * 3_600_000 + i * S), 'api-1', 'cpu') as number);
      return mean(xs);
    };
    const night = cpuAround(3);
    const afternoon = cpuAround(15);
    expect(afternoon - night).toBeGreaterThan(15);
  });
});

describe('fault injection shows in the metrics', () => {
  it('crash: up 0 and nothing else reported; the load balancer moves its load to the peers', () => {
    const c = cluster();
    const before = metricOf(stepTo(c, T0 + 10 * S), 'api-2', 'cpu') as number;
    c.inject({ kind: 'crash', at: T0 + 11 * S, target: 'api-1' });
    const at = c.step(T0 + 11 * S);
    expect(metricOf(at, 'api-1', 'up')).toBe(0);
    expect(metricOf(at, 'api-1', 'cpu')).toBeUndefined();
    expect(metricOf(at, 'api-1', 'packet_loss')).toBeLessThan(1);
    const later = stepTo(c, T0 + 20 * S);
    expect(metricOf(later, 'api-2', 'cpu') as number).toBeGreaterThan(before + 10);
    expect(c.view('api-1').inRotation).toBe(false);
  });

  it('memory leak: memory climbs steadily, then the process is OOM-killed at the impact time', () => {
    const c = cluster();
    const m0 = metricOf(stepTo(c, T0 + 10 * S), 'api-1', 'mem') as number;
    const t = c.inject({ kind: 'memory_leak', at: T0 + 11 * S, target: 'api-1', toImpactMs: 10 * MIN });
    expect(t.impactAt).toBe(T0 + 11 * S + 10 * MIN);
    const m5 = metricOf(stepTo(c, T0 + 11 * S + 5 * MIN), 'api-1', 'mem') as number;
    expect(m5 - m0).toBeGreaterThan(15);
    stepTo(c, t.impactAt);
    expect(c.view('api-1').conditions).toContain('crashed');
    expect(t.impactedAt).toBe(t.impactAt);
  });

  it('disk fill on the database primary: disk climbs, then writes fail and the callers fail with it', () => {
    const c = cluster();
    const t = c.inject({ kind: 'disk_fill', at: T0 + 5 * S, target: 'primary:db', toImpactMs: 5 * MIN });
    expect(t.node).toBe('db-1');
    const mid = stepTo(c, T0 + 5 * S + 150 * S);
    expect(metricOf(mid, 'db-1', 'disk') as number).toBeGreaterThan(75);
    const after = stepTo(c, t.impactAt + 2 * S);
    expect(metricOf(after, 'db-1', 'disk')).toBe(100);
    expect(metricOf(after, 'db-1', 'error_rate') as number).toBeGreaterThan(99);
    expect(metricOf(after, 'api-1', 'error_rate') as number).toBeGreaterThan(99);
  });

  it('cpu saturation: cpu pinned, latency several-fold', () => {
    const c = cluster();
    const lat0 = metricOf(stepTo(c, T0 + 10 * S), 'api-1', 'latency_ms') as number;
    c.inject({ kind: 'cpu_saturation', at: T0 + 11 * S, target: 'api-1', durationMs: 10 * MIN });
    const p = c.step(T0 + 11 * S);
    expect(metricOf(p, 'api-1', 'cpu') as number).toBeGreaterThanOrEqual(97);
    expect(metricOf(p, 'api-1', 'latency_ms') as number).toBeGreaterThan(3 * lat0);
  });

  it('latency spike: requests slow down by the factor, and it ends by itself', () => {
    const c = cluster();
    const lat0 = metricOf(stepTo(c, T0 + 10 * S), 'api-2', 'latency_ms') as number;
    const t = c.inject({ kind: 'latency_spike', at: T0 + 11 * S, target: 'api-2', factor: 5, durationMs: MIN });
    expect(metricOf(c.step(T0 + 11 * S), 'api-2', 'latency_ms') as number).toBeGreaterThan(3.5 * lat0);
    const after = stepTo(c, T0 + 11 * S + MIN + 2 * S);
    expect(metricOf(after, 'api-2', 'latency_ms') as number).toBeLessThan(1.5 * lat0);
    expect(t.recoveredBy).toBe('itself');
  });

  it('partition of the primary: probes lose everything at once, the scrape times out, callers fail', () => {
    const c = cluster();
    stepTo(c, T0 + 10 * S);
    c.inject({ kind: 'partition', at: T0 + 11 * S, target: 'primary:db', durationMs: 5 * MIN });
    const first = c.step(T0 + 11 * S);
    expect(metricOf(first, 'db-1', 'packet_loss')).toBe(100);
    expect(metricOf(first, 'db-1', 'up')).toBeUndefined();
    expect(metricOf(first, 'db-1', 'mem')).toBeUndefined();
    expect(metricOf(first, 'api-1', 'error_rate') as number).toBeGreaterThan(99);
    expect(metricOf(stepTo(c, T0 + 13 * S), 'db-1', 'up')).toBe(0);
  });

  it('several nodes at once: with every API down the whole API group fails', () => {
    const c = cluster();
    c.measureAvailabilityFrom(T0);
    stepTo(c, T0 + 10 * S);
    expect(c.availability().availability).toBe(1);
    c.inject({ kind: 'crash', at: T0 + 11 * S, target: 'api-1' });
    c.inject({ kind: 'crash', at: T0 + 11 * S, target: 'api-2' });
    stepTo(c, T0 + 31 * S);
    const a = c.availability();
    // both APIs count as failing for 20 s (no member left in rotation)
    expect(a.unavailableNodeSeconds).toBeGreaterThanOrEqual(40);
    expect(a.availability).toBeLessThan(1);
    expect(c.activeFaults(T0 + 31 * S).map((f) => f.node)).toEqual(['api-1', 'api-2']);
  });
});
