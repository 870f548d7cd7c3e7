import { describe, expect, it } from 'vitest';
import { Ensemble } from '../../../src/detect/ensemble.js';
import { DetectConfigError } from '../../../src/detect/errors.js';
import { createDetectors } from '../../../src/detect/registry.js';
import type { ZScoreState } from '../../../src/detect/zscore.js';
import { detectorConfig, gauss, N_READY, STEP, T0 } from './helpers.js';

const five = () => [
  detectorConfig('zscore'),
  detectorConfig('robust'),
  detectorConfig('holt'),
  detectorConfig('seasonal'),
  detectorConfig('cusum'),
];

function feed(ens: Ensemble, n: number, seed = 1) {
  const states = ens.init();
  const noise = gauss(seed);
  for (let i = 0; i < n; i++) ens.run(states, T0 + i * STEP, 40 + 2 * noise());
  return states;
}

describe('ensemble', () => {
  it('combines with max (default), mean and second-highest', () => {
    const cfgs = [detectorConfig('zscore'), detectorConfig('robust'), detectorConfig('cusum')];
    const results: Record<string, { score: number; scores: number[] }> = {};
    for (const combine of ['max', 'mean', 'second'] as const) {
      const ens = new Ensemble(cfgs, combine);
      const states = feed(ens, 400);
      const r = ens.run(states, T0 + 400 * STEP, 40 + 12);
      results[combine] = { score: r.score, scores: [...r.scores] };
    }
    const sc = results['max']?.scores as number[];
    const sorted = [...sc].sort((a, b) => b - a);
    expect(results['max']?.score).toBeCloseTo(sorted[0] as number, 12);
    expect(results['second']?.score).toBeCloseTo(sorted[1] as number, 12);
    expect(results['mean']?.score).toBeCloseTo((sc[0]! + sc[1]! + sc[2]!) / 3, 12);
    // zscore and robust agree on the 6σ spike; cusum deliberately does not
    expect(results['second']?.score).toBeGreaterThanOrEqual(0.5);
  });

  it("is ready as soon as one detector is (two for 'second'); a learning seasonal does not hold it back", () => {
    const ens = new Ensemble(five());
    const states = ens.init();
    const noise = gauss(2);
    let firstReady = -1;
    for (let i = 0; i < 100; i++) {
      const r = ens.run(states, T0 + i * STEP, 40 + noise());
      if (r.status === 'ready' && firstReady < 0) firstReady = i;
    }
    expect(firstReady).toBe(30);
    const second = new Ensemble(
      [detectorConfig('zscore', { warmup: 10 }), detectorConfig('robust', { warmup: 50 })],
      'second',
    );
    const s2 = second.init();
    const st: string[] = [];
    for (let i = 0; i < 60; i++) st.push(second.run(s2, T0 + i * STEP, 40 + noise()).status);
    expect(st[20]).toBe('learning');
    expect(st[55]).toBe('ready');
  });

  it('reports expected and band from the most confident ready detector', () => {
    const ens = new Ensemble(five());
    const states = feed(ens, N_READY);
    const r = ens.run(states, T0 + N_READY * STEP, 41);
    expect(r.expected).toBeGreaterThan(39);
    expect(r.expected).toBeLessThan(41);
    expect(r.lower).toBeLessThan(r.expected);
    expect(r.upper).toBeGreaterThan(r.expected);
    // band ≈ ±3σ with σ = 2
    expect(r.upper - r.lower).toBeGreaterThan(8);
    expect(r.upper - r.lower).toBeLessThan(16);
  });

  it('scores a missing value 0 and learns nothing', () => {
    const ens = new Ensemble(five());
    const states = feed(ens, 200);
    const before = JSON.stringify(states);
    for (const [ts, v] of [
      [T0 + 200 * STEP, Number.NaN],
      [Number.NaN, 5],
      [T0, Number.NEGATIVE_INFINITY],
    ] as const) {
      const r = ens.run(states, ts, v);
      expect(r.score).toBe(0);
    }
    expect(JSON.stringify(states)).toBe(before);
  });

  it('rebases slow detectors to the new level when CUSUM finds a change', () => {
    const ens = new Ensemble([detectorConfig('zscore'), detectorConfig('cusum')]);
    const states = feed(ens, 600, 3);
    const noise = gauss(4);
    let rebasedAt = -1;
    for (let i = 0; i < 50 && rebasedAt < 0; i++) {
      ens.run(states, T0 + (600 + i) * STEP, 46 + 2 * noise());
      if (Math.abs((states[0] as ZScoreState).m - 46) < 1.5) rebasedAt = i;
    }
    // the z-score mean (half-life 200 points) alone would need hundreds of points to get there
    expect(rebasedAt).toBeGreaterThanOrEqual(0);
    expect(rebasedAt).toBeLessThan(20);
  });

  it('refuses two detectors with the same name', () => {
    expect(() => createDetectors([detectorConfig('zscore'), detectorConfig('zscore')])).toThrow(DetectConfigError);
    expect(() =>
      createDetectors([detectorConfig('zscore'), detectorConfig('zscore', { name: 'zscore-slow', halfLife: 2000 })]),
    ).not.toThrow();
  });
});
