import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DetectorConfig } from '../../../src/detect/config.js';
import { createSeriesScorer } from '../../../src/detect/index.js';
import { CASES, gauss, makeFrom, N_READY, rule, STEP, snap, T0 } from './helpers.js';

/**
 * every detector (and calibration), through the same behaviour checks (issue 2: "every detector,
 * unit and property-based")
 */
describe.each(CASES)('%s detector', (_label, config, threshold) => {
  const kind = config['kind'];
  const detectorConfig = () => DetectorConfig.parse(config);
  const makeDetector = () => makeFrom(config);
  it('never alarms on a constant series, at any level, even with float-level noise', () => {
    // noise: 1e-9 relative to the level (1e-12 absolute at level 0) — rounding-level jitter
    for (const level of [0, 1, 41.5, -50, 1e6]) {
      const scorer = createSeriesScorer({ detectors: [detectorConfig()], alarms: [rule({ threshold: 0.1 })] });
      const state = scorer.init();
      const noise = gauss(7);
      let max = 0;
      let events = 0;
      for (let i = 0; i < N_READY + 200; i++) {
        const value = level + noise() * (level === 0 ? 1e-12 : 1e-9 * Math.abs(level));
        const { score, events: ev } = scorer.update(
          state,
          { ts: T0 + i * STEP, value: i % 2 ? value : level },
          { source: 's', metric: 'm' },
        );
        max = Math.max(max, score.score);
        events += ev.length;
      }
      expect(max, `level ${level}`).toBeLessThan(0.1);
      expect(events).toBe(0);
    }
  });

  it('scores a 6σ deviation after warm-up high (CUSUM: a sustained 6σ shift) and the alarm fires', () => {
    const scorer = createSeriesScorer({ detectors: [detectorConfig()], alarms: [rule({ minHits: 1, threshold })] });
    const state = scorer.init();
    const noise = gauss(11);
    const meta = { source: 'web-1', metric: 'cpu.util' };
    for (let i = 0; i < N_READY; i++) {
      const { score, events } = scorer.update(state, { ts: T0 + i * STEP, value: 40 + 2 * noise() }, meta);
      expect(events).toEqual([]);
      if (i === N_READY - 1) expect(score.status).toBe('ready');
    }
    // CUSUM ignores an isolated spike by design; it is given the shift it exists to find
    const run = kind === 'cusum' ? 4 : 1;
    let best = 0;
    const fired = [];
    for (let j = 0; j < run; j++) {
      const { score, events } = scorer.update(state, { ts: T0 + (N_READY + j) * STEP, value: 40 + 6 * 2 }, meta);
      best = Math.max(best, score.score);
      fired.push(...events);
    }
    expect(best).toBeGreaterThanOrEqual(threshold);
    expect(fired).toHaveLength(1);
    expect(fired[0]?.state).toBe('firing');
    expect(fired[0]?.reason).toContain('cpu.util on web-1 = 52.0');
  });

  it('handles NaN, ±Infinity, huge values, repeated and backward timestamps without throwing', () => {
    const det = makeDetector();
    const value = fc.oneof(
      fc.double(),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1e300, 0, -0),
      fc.double({ min: -100, max: 100, noNaN: true }),
    );
    const dt = fc.oneof(fc.constant(0), fc.integer({ min: -86_400_000, max: 86_400_000 }), fc.constant(STEP));
    const ts = fc.oneof(fc.constant(Number.NaN), fc.double(), fc.constant(Number.POSITIVE_INFINITY));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(dt, ts), value), { maxLength: 300 }), (pts) => {
        const s = det.init();
        let t = T0;
        for (const [d, v] of pts) {
          t = Number.isInteger(d) ? t + d : d;
          const o = det.update(s, t, v);
          expect(o.score).toBeGreaterThanOrEqual(0);
          expect(o.score).toBeLessThanOrEqual(1);
          expect(['learning', 'ready']).toContain(o.status);
          if (!Number.isFinite(v)) expect(o.score).toBe(0);
          if (!Number.isFinite(t)) t = T0;
        }
        // state stays plain finite data: JSON has no null (NaN/Infinity would become null)
        expect(JSON.stringify(s)).not.toContain('null');
      }),
      { numRuns: 200 },
    );
  });

  it('leaves the state unchanged on a missing value', () => {
    const det = makeDetector();
    const s = det.init();
    const noise = gauss(3);
    for (let i = 0; i < N_READY; i++) det.update(s, T0 + i * STEP, 10 + noise());
    const before = JSON.stringify(s);
    for (const v of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(det.update(s, T0 + N_READY * STEP, v).score).toBe(0);
    }
    expect(JSON.stringify(s)).toBe(before);
  });

  it('gives identical scores after a JSON round trip of its state mid-stream', () => {
    const det = makeDetector();
    const point = fc.tuple(
      fc.oneof(fc.constant(STEP), fc.constant(0), fc.integer({ min: -STEP, max: 3 * STEP })),
      fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double(), fc.constant(Number.NaN)),
    );
    fc.assert(
      fc.property(fc.array(point, { maxLength: 200 }), fc.array(point, { minLength: 1, maxLength: 100 }), (a, b) => {
        const s = det.init();
        let t = T0;
        for (const [d, v] of a) {
          t += d;
          det.update(s, t, v);
        }
        const copy = JSON.parse(JSON.stringify(s));
        const times = b.map(([d]) => {
          t += d;
          return t;
        });
        const left = b.map(([, v], i) => snap(det.update(s, times[i] as number, v)));
        const right = b.map(([, v], i) => snap(det.update(copy, times[i] as number, v)));
        expect(JSON.stringify(right)).toBe(JSON.stringify(left));
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips a realistic long stream exactly', () => {
    const det = makeDetector();
    const s = det.init();
    const noise = gauss(5);
    const value = (i: number) => 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + noise() + (i % 500 === 0 ? 30 : 0);
    for (let i = 0; i < 1500; i++) det.update(s, T0 + i * STEP, value(i));
    const copy = JSON.parse(JSON.stringify(s));
    for (let i = 1500; i < 2500; i++) {
      const v = value(i);
      const x = snap(det.update(s, T0 + i * STEP, v));
      const y = snap(det.update(copy, T0 + i * STEP, v));
      expect(JSON.stringify(y)).toBe(JSON.stringify(x));
    }
  });
});
