import { describe, expect, it } from 'vitest';
import { FaultSpec } from '../../../../src/sim/cluster/faults.js';
import { SCENARIO_NAMES, scenario, UnknownScenarioError } from '../../../../src/sim/cluster/scenarios.js';

describe('scenarios', () => {
  it('standard: 12 nodes, 30 faults of every kind inside the measured day, the same for a seed', () => {
    const s = scenario('standard', 1);
    expect(s.topology.nodes).toHaveLength(12);
    expect(s.faults).toHaveLength(30);
    const t0 = s.start + s.warmupMs;
    for (const f of s.faults) {
      expect(FaultSpec.safeParse(f).success).toBe(true);
      expect(f.at).toBeGreaterThanOrEqual(t0);
      expect(f.at).toBeLessThan(t0 + s.durationMs);
      expect(f.at % 1000).toBe(0);
    }
    expect(new Set(s.faults.map((f) => f.kind))).toEqual(
      new Set(['crash', 'memory_leak', 'disk_fill', 'cpu_saturation', 'latency_spike', 'partition']),
    );
    // several nodes failing at once
    const byTime = new Map<number, number>();
    for (const f of s.faults) byTime.set(f.at, (byTime.get(f.at) ?? 0) + 1);
    expect(Math.max(...byTime.values())).toBe(3);
    expect(scenario('standard', 1)).toEqual(s);
    expect(scenario('standard', 2).faults).not.toEqual(s.faults);
  });

  it('quick and burst are smaller; every seed gets a full schedule', () => {
    expect(SCENARIO_NAMES).toEqual(['standard', 'quick', 'burst']);
    for (let seed = 0; seed < 20; seed++) {
      expect(scenario('quick', seed).faults).toHaveLength(6);
      const b = scenario('burst', seed);
      expect(b.faults).toHaveLength(10);
      const span = Math.max(...b.faults.map((f) => f.at)) - Math.min(...b.faults.map((f) => f.at));
      expect(span).toBeLessThanOrEqual(10 * 60_000);
    }
  });

  it('an unknown name is a usage error naming the known ones', () => {
    expect(() => scenario('nope')).toThrow(UnknownScenarioError);
    expect(() => scenario('nope')).toThrow(/standard, quick, burst/);
  });
});

describe('generateHistory (training data for a fault predictor)', () => {
  it('labels the resource-exhaustion faults from their impact to their repair', async () => {
    const { generateHistory } = await import('../../../../src/sim/cluster/history.js');
    const h = generateHistory({ days: 1, seed: 5 });
    expect(h.points.length).toBeGreaterThan(1440 * 12 * 5);
    expect(h.faults.length).toBeGreaterThan(3);
    for (const f of h.faults) {
      expect(f.type).toBe('resource_exhaustion');
      expect(f.end).toBeGreaterThan(f.start);
    }
    const p = JSON.parse(h.points[0] as string) as { ts: number; source: string; metric: string };
    expect(p).toMatchObject({ ts: Date.UTC(2024, 0, 1), source: 'db-1', metric: 'up' });
    expect(generateHistory({ days: 1, seed: 5 }).faults).toEqual(h.faults);
  });
});
