import { describe, expect, it } from 'vitest';
import { MetricPoint } from '../../../src/contracts/metric.js';
import { FaultSample } from '../../../src/contracts/samples.js';
import { generateSamples } from '../../../src/ml/synthetic.js';

describe('synthetic fault samples', () => {
  it('the same seed gives the same data; another seed differs', () => {
    const a = generateSamples({ seed: 4, sources: 2, steps: 400 });
    const b = generateSamples({ seed: 4, sources: 2, steps: 400 });
    const c = generateSamples({ seed: 5, sources: 2, steps: 400 });
    expect(b).toEqual(a);
    expect(c.points).not.toEqual(a.points);
  });

  it('points and faults satisfy the contracts; each fault follows a precursor of the horizon length', () => {
    const d = generateSamples({ seed: 4, sources: 2, steps: 600, faultTypes: ['resource_exhaustion'] });
    expect(d.points).toHaveLength(2 * 600 * 4);
    for (const p of d.points.slice(0, 50)) expect(MetricPoint.parse(p)).toEqual(p);
    expect(d.faults.length).toBeGreaterThan(3);
    for (const f of d.faults) expect(FaultSample.parse(f)).toEqual(f);
    expect(d.horizonMs).toBe(15 * 60_000);
    // memory is clearly higher during the precursor than an hour before it
    const mem = (source: string, ts: number) =>
      d.points.find((p) => p.source === source && p.ts === ts && p.metric === 'mem')?.value ?? Number.NaN;
    for (const f of d.faults) {
      const before = mem(f.source, f.start - d.horizonMs - 30 * 60_000);
      const during = mem(f.source, f.start - 60_000);
      if (Number.isFinite(before) && Number.isFinite(during)) expect(during - before).toBeGreaterThan(15);
    }
  });
});
