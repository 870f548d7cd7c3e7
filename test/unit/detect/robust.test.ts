import fc from 'fast-check';
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { BAND_Z, sigmaFloor } from '../../../src/detect/calibrate.js';
import { DetectConfigError } from '../../../src/detect/errors.js';
import type { RobustState } from '../../../src/detect/robust.js';
import { gauss, makeDetector, makeFrom, STEP, T0 } from './helpers.js';

describe('robust detector', () => {
  it('keeps the exact rolling median and MAD of the window (oracle: simple-statistics)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 40 }),
        fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
          minLength: 1,
          maxLength: 150,
        }),
        (window, xs) => {
          const det = makeDetector('robust', { window, warmup: 3 });
          const s = det.init() as RobustState;
          xs.forEach((x, i) => {
            const seen = xs.slice(Math.max(0, i - window), i);
            const o = det.update(s, T0 + i * STEP, x);
            if (seen.length === 0) return;
            expect(o.expected).toBeCloseTo(median(seen), 9);
            if (seen.length >= 3) {
              const sMad = 1.4826 * medianAbsoluteDeviation(seen);
              if (sMad >= sigmaFloor(o.expected)) expect(o.spread / BAND_Z).toBeCloseTo(sMad, 9);
            }
          });
          // the sorted view is a permutation of the ring, in order
          const ord = s.ord.slice(0, s.len);
          const vals = ord.map((k) => s.buf[k] as number);
          expect([...ord].sort((a, b) => a - b)).toEqual(ord.map((_, k) => k));
          for (let k = 1; k < vals.length; k++) expect(vals[k]).toBeGreaterThanOrEqual(vals[k - 1] as number);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('does not treat σ as 0 on quantised data (mostly 0, sometimes 1)', () => {
    const det = makeDetector('robust');
    const s = det.init();
    let high = 0;
    for (let i = 0; i < 2000; i++) {
      const x = i % 7 === 0 ? 1 : 0;
      if (det.update(s, T0 + i * STEP, x).score >= 0.5) high++;
    }
    expect(high).toBe(0);
  });

  it('does not score recurring bursts as first-time events (rank guard)', () => {
    const det = makeDetector('robust');
    const s = det.init();
    const noise = gauss(4);
    const scores: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const burst = i % 25 < 3;
      scores.push(det.update(s, T0 + i * STEP, burst ? 90 + noise() : 0.1 + 0.01 * noise()).score);
    }
    expect(scores.slice(200).filter((x) => x >= 0.5)).toHaveLength(0);
  });
});

describe('robust detector: short view (record calibration)', () => {
  it('keeps the slots of the last `short.window` values sorted by value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 30 }),
        fc.integer({ min: 3, max: 7 }),
        fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -1e3, max: 1e3, noNaN: true })), {
          minLength: 1,
          maxLength: 120,
        }),
        (window, k, xs) => {
          const det = makeFrom({ kind: 'robust', window, warmup: 3, calibrate: 'record', short: { window: k } });
          const s = det.init() as RobustState;
          xs.forEach((x, i) => {
            det.update(s, T0 + i * STEP, x);
            const last = xs.slice(Math.max(0, i + 1 - k), i + 1);
            const view = (s.so as number[]).slice(0, last.length).map((slot) => s.buf[slot] as number);
            expect(view).toEqual([...last].sort((a, b) => a - b));
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('scores a spike against the short median too, and reports the higher score', () => {
    const both = makeFrom({ kind: 'robust', calibrate: 'record', short: { window: 16 } });
    const long = makeFrom({ kind: 'robust', calibrate: 'record' });
    const a = both.init();
    const b = long.init();
    const noise = gauss(9);
    let higher = 0;
    for (let i = 0; i < 3000; i++) {
      // a slow wave: the 16-point median follows it, the 64-point one lags
      const x = 10 * Math.sin((2 * Math.PI * i) / 300) + 0.3 * noise() + (i === 2900 ? 4 : 0);
      const sa = both.update(a, T0 + i * STEP, x).score;
      const sb = long.update(b, T0 + i * STEP, x).score;
      expect(sa).toBeGreaterThanOrEqual(sb);
      if (sa > sb) higher++;
    }
    expect(higher).toBeGreaterThan(0);
  });

  it('rejects a short view without record calibration, or as long as the window', () => {
    expect(() => makeFrom({ kind: 'robust', short: { window: 16 } })).toThrow(DetectConfigError);
    expect(() => makeFrom({ kind: 'robust', window: 16, calibrate: 'record', short: { window: 16 } })).toThrow(
      DetectConfigError,
    );
  });
});
