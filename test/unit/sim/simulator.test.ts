import { describe, expect, it } from 'vitest';
import { MetricPoint } from '../../../src/contracts/metric.js';
import { createSimulator } from '../../../src/sim/simulator.js';

describe('createSimulator', () => {
  it('is deterministic for a seed and different across seeds', () => {
    const run = (seed: number) => {
      const sim = createSimulator({ seed });
      return Array.from({ length: 500 }, () => sim.tick());
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('emits valid points, one per source × metric per tick, in data time', () => {
    const sim = createSimulator({ seed: 1, start: 1_000_000, stepMs: 30_000 });
    const a = sim.tick();
    const b = sim.tick();
    expect(a).toHaveLength(9);
    for (const p of [...a, ...b]) expect(MetricPoint.safeParse(p).success).toBe(true);
    expect(new Set(a.map((p) => p.ts))).toEqual(new Set([1_000_000]));
    expect(b[0]?.ts).toBe(1_030_000);
    expect(sim.nextTs).toBe(1_060_000);
  });

  it('injects faults after the warm-up, and the faulty series deviates by many σ', () => {
    const sim = createSimulator({ seed: 3, firstFaultAt: 50, faultGap: [20, 40] });
    const ticks = Array.from({ length: 2000 }, () => sim.tick());
    expect(sim.faults.length).toBeGreaterThan(10);
    expect(sim.faults[0]?.startTs).toBe(ticks[50]?.[0]?.ts);
    expect(new Set(sim.faults.map((f) => f.kind))).toEqual(new Set(['spike', 'shift', 'drift']));
    const spike = sim.faults.find((f) => f.kind === 'spike')!;
    const series = (ts: number) =>
      ticks.flat().find((p) => p.ts === ts && p.source === spike.source && p.metric === spike.metric)?.value as number;
    const step = 60_000;
    const before = [1, 2, 3, 4, 5].map((k) => series(spike.startTs - k * step));
    const mean = before.reduce((s, x) => s + x, 0) / before.length;
    const at = series(spike.startTs);
    const spread = Math.max(...before) - Math.min(...before);
    expect(at - mean).toBeGreaterThan(2 * spread);
  });

  it('has daily seasonality', () => {
    const sim = createSimulator({ seed: 5, firstFaultAt: 1e9, sources: ['s'] });
    const cpu = Array.from({ length: 1440 }, () => sim.tick()[0]?.value as number);
    const hourMean = (h: number) => cpu.slice(h * 60, h * 60 + 60).reduce((s, x) => s + x, 0) / 60;
    expect(hourMean(15) - hourMean(3)).toBeGreaterThan(20);
  });
});
