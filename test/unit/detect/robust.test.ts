import fc from 'fast-check';
import { median, medianAbsoluteDeviation } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { BAND_Z, sigmaFloor } from '../../../src/detect/calibrate.js';
import type { RobustState } from '../../../src/detect/robust.js';
import { gauss, makeDetector, STEP, T0 } from './helpers.js';

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
