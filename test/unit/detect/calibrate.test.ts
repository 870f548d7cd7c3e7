import fc from 'fast-check';
import { cumulativeStdNormalProbability } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import {
  logErfc,
  logTailP,
  scoreFromLogP,
  scoreFromZ,
  scoreFromZExact,
  Z_MAX_SCORE,
  zFromLogP,
  zFromScore,
} from '../../../src/detect/calibrate.js';

describe('calibration onto the common scale', () => {
  it('maps well-known deviations to the documented scores', () => {
    expect(scoreFromZ(0)).toBe(0);
    expect(scoreFromZ(3.29)).toBeCloseTo(0.3, 3);
    expect(scoreFromZ(-3.29)).toBeCloseTo(0.3, 3);
    expect(scoreFromZ(4.417)).toBeCloseTo(0.5, 3);
    expect(scoreFromZ(4.892)).toBeCloseTo(0.6, 3);
    expect(scoreFromZ(6.5)).toBe(1);
    expect(scoreFromZ(1e9)).toBe(1);
    expect(scoreFromZ(Number.POSITIVE_INFINITY)).toBe(1);
    expect(scoreFromZ(Number.NaN)).toBe(0);
    expect(Z_MAX_SCORE).toBeCloseTo(6.467, 2);
  });

  it('agrees with the normal CDF of simple-statistics where that is precise', () => {
    for (const z of [0.5, 1, 1.96, 2.5, 3]) {
      const p = 2 * (1 - cumulativeStdNormalProbability(z));
      expect(Math.exp(logTailP(z))).toBeCloseTo(p, 3);
    }
  });

  it('stays finite in log space far beyond where erfc underflows', () => {
    // ln P(|Z| >= 40) ≈ −803.9 (log10 ≈ −349.1): erfc itself is 0 in doubles
    expect(logTailP(40)).toBeCloseTo(-803.9, 0);
    expect(Number.isFinite(logTailP(1e6))).toBe(true);
    expect(logErfc(-3)).toBeCloseTo(Math.log(2 - 2.209e-5), 6);
  });

  it('inverts: zFromScore(scoreFromZ(z)) = z below saturation', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 6.4, noNaN: true }), (z) => {
        expect(zFromScore(scoreFromZExact(z))).toBeCloseTo(z, 6);
        // the hot-path table stays within 1e-6 of the exact score
        expect(Math.abs(scoreFromZ(z) - scoreFromZExact(z))).toBeLessThan(1e-6);
        expect(zFromLogP(logTailP(z))).toBeCloseTo(z, 6);
      }),
    );
    expect(zFromScore(0)).toBe(0);
    expect(zFromScore(1)).toBeCloseTo(Z_MAX_SCORE, 9);
  });

  it('is monotone in |z| and always within [0, 1]', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), (a, b) => {
        const sa = scoreFromZ(a);
        const sb = scoreFromZ(b);
        expect(sa).toBeGreaterThanOrEqual(0);
        expect(sa).toBeLessThanOrEqual(1);
        if (Math.abs(a) <= Math.abs(b)) expect(sa).toBeLessThanOrEqual(sb);
      }),
    );
    expect(scoreFromLogP(0)).toBe(0);
    expect(scoreFromLogP(5)).toBe(0);
  });
});
