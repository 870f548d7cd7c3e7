import { describe, expect, it } from 'vitest';
import type { SeasonalState } from '../../../src/detect/seasonal.js';
import { gauss, makeDetector, STEP, T0 } from './helpers.js';

const DAY = 288; // 5-minute points per day
/** a daily cycle: 20 at night, 80 at midday, noise σ = 1 */
const profile = (i: number) => 50 - 30 * Math.cos((2 * Math.PI * (i % DAY)) / DAY);

describe('seasonal detector', () => {
  it('is learning until minCycles whole days are seen, then ready', () => {
    const det = makeDetector('seasonal', { minCycles: 2 });
    const s = det.init();
    const noise = gauss(1);
    const statuses: string[] = [];
    for (let i = 0; i < 3 * DAY; i++) statuses.push(det.update(s, T0 + i * STEP, profile(i) + noise()).status);
    expect(statuses.slice(0, 2 * DAY)).not.toContain('ready');
    // the first point after two full days of data is scored
    expect(statuses[2 * DAY + 1]).toBe('ready');
    expect(statuses.slice(2 * DAY + 1)).not.toContain('learning');
  });

  it('catches a value that is normal for the day but not for this time of day', () => {
    const det = makeDetector('seasonal');
    const s = det.init();
    const noise = gauss(2);
    const scores: number[] = [];
    for (let i = 0; i < 5 * DAY; i++) scores.push(det.update(s, T0 + i * STEP, profile(i) + noise()).score);
    // ordinary days score low
    const day5 = scores.slice(4 * DAY);
    expect(day5.filter((x) => x >= 0.5)).toHaveLength(0);
    // midnight (expected ≈ 20) at the midday value 55: in range for the day, far off the profile
    const o = det.update(s, T0 + 5 * DAY * STEP, 55);
    expect(o.expected).toBeGreaterThan(15);
    expect(o.expected).toBeLessThan(25);
    expect(o.score).toBeGreaterThanOrEqual(0.5);
    // while a plain z-score, which knows only the day's mean and spread, is not alarmed
    const z = makeDetector('zscore', { halfLife: 2000 });
    const zs = z.init();
    const n2 = gauss(2);
    for (let i = 0; i < 5 * DAY; i++) z.update(zs, T0 + i * STEP, profile(i) + n2());
    expect(z.update(zs, T0 + 5 * DAY * STEP, 55).score).toBeLessThan(0.1);
  });

  it('scores but does not learn a point older than the last learnt one; learns a repeated ts', () => {
    const det = makeDetector('seasonal');
    const s = det.init() as SeasonalState;
    const noise = gauss(3);
    for (let i = 0; i < 3 * DAY; i++) det.update(s, T0 + i * STEP, profile(i) + noise());
    const last = T0 + (3 * DAY - 1) * STEP;
    const before = JSON.stringify(s);
    const o = det.update(s, last - 10 * STEP, 500);
    expect(o.status).toBe('ready');
    expect(o.score).toBeGreaterThan(0.5);
    expect(JSON.stringify(s)).toBe(before);
    det.update(s, last, profile(3 * DAY - 1));
    expect(s.n).toBe(3 * DAY + 1);
  });

  it('keeps a bounded state however long it runs', () => {
    const det = makeDetector('seasonal', { bins: 24 });
    const s = det.init() as SeasonalState;
    const noise = gauss(4);
    for (let i = 0; i < 30 * DAY; i += 3) det.update(s, T0 + i * STEP, profile(i) + noise());
    expect(s.w).toHaveLength(24);
    expect(JSON.stringify(s).length).toBeLessThan(1800);
  });

  it('absorbs a level shift instead of alarming for the rest of the day', () => {
    const det = makeDetector('seasonal');
    const s = det.init();
    const noise = gauss(5);
    for (let i = 0; i < 3 * DAY; i++) det.update(s, T0 + i * STEP, profile(i) + noise());
    const after: number[] = [];
    for (let i = 3 * DAY; i < 4 * DAY; i++) after.push(det.update(s, T0 + i * STEP, profile(i) + 40 + noise()).score);
    expect(after[0]).toBeGreaterThanOrEqual(0.5);
    expect(after.slice(10).filter((x) => x >= 0.5).length).toBeLessThan(5);
  });
});
