import { describe, expect, it } from 'vitest';
import { chooseRedundancy, DestinationPicker, parseHealConfig } from '../../../src/heal/index.js';

const t = parseHealConfig({}).redundancy;

describe('chooseRedundancy (risk thresholds)', () => {
  it('follows the issue: 0.85 / 0.70 / 0.50', () => {
    expect(chooseRedundancy(0.9, { byzantine: true, dependents: 0 }, t).mode).toBe('n-way-quorum');
    expect(chooseRedundancy(0.9, { byzantine: false, dependents: 0 }, t).mode).toBe('active-active');
    expect(chooseRedundancy(0.75, { byzantine: false, dependents: 5 }, t).mode).toBe('active-active');
    expect(chooseRedundancy(0.75, { byzantine: false, dependents: 1 }, t).mode).toBe('active-passive');
    expect(chooseRedundancy(0.6, { byzantine: true, dependents: 9 }, t).mode).toBe('active-passive');
    expect(chooseRedundancy(0.2, { byzantine: false, dependents: 9 }, t).mode).toBe('geographic');
    expect(chooseRedundancy(0.85, { byzantine: false, dependents: 0 }, t).reason).toMatch(/0.85/);
  });
  it('thresholds are configurable', () => {
    const c = parseHealConfig({ redundancy: { quorum: 0.95, activeActive: 0.9, activePassive: 0.1 } }).redundancy;
    expect(chooseRedundancy(0.9, { byzantine: true, dependents: 0 }, c).mode).toBe('active-passive');
    expect(chooseRedundancy(0.2, { byzantine: false, dependents: 0 }, c).mode).toBe('active-passive');
  });
});

describe('DestinationPicker', () => {
  const cands = [
    { id: 'n3', load: 50, latencyMs: 5 },
    { id: 'n1', load: 20, latencyMs: 30 },
    { id: 'n2', load: undefined, latencyMs: 10 },
  ];
  it('least-loaded picks the smallest known load', () => {
    expect(new DestinationPicker('least-loaded').pick(cands)?.id).toBe('n1');
  });
  it('lowest-latency picks the smallest latency', () => {
    expect(new DestinationPicker('lowest-latency').pick(cands)?.id).toBe('n3');
  });
  it('round-robin cycles per key', () => {
    const p = new DestinationPicker('round-robin');
    expect([1, 2, 3, 4].map(() => p.pick(cands, 'g')?.id)).toEqual(['n1', 'n2', 'n3', 'n1']);
    expect(p.pick(cands, 'other')?.id).toBe('n1');
    expect(p.pick([], 'g')).toBeUndefined();
  });
});
