import { describe, expect, it } from 'vitest';
import { scoreFromZExact } from '../../../src/detect/calibrate.js';
import { errorScore, fitErrorCalibration, fitPlatt, sigmoid } from '../../../src/ml/calibration.js';
import { createRng } from '../../../src/sim/random.js';

describe('Platt scaling', () => {
  it('recovers the scaling of mis-scaled logits', () => {
    const rng = createRng(11);
    const z: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const logit = 4 * rng.normal();
      z.push(logit);
      y.push(rng.next() < sigmoid(0.5 * logit - 1) ? 1 : 0); // true p = sigmoid(0.5 z − 1)
    }
    const c = fitPlatt(z, y);
    expect(c.a).toBeCloseTo(0.5, 1);
    expect(c.b).toBeCloseTo(-1, 1);
  });

  it('stays finite on separable data and is the identity without positives', () => {
    const c = fitPlatt([-30, -20, -25, 20, 30, 40], [0, 0, 0, 1, 1, 1]);
    expect(Number.isFinite(c.a) && Number.isFinite(c.b)).toBe(true);
    expect(c.a).toBeGreaterThan(0);
    expect(fitPlatt([1, 2, 3], [0, 0, 0])).toEqual({ a: 1, b: 0 });
  });
});

describe('reconstruction-error calibration', () => {
  it('maps errors onto the common scale: typical → 0, a one-sided 1-in-1000 error → 0.3, monotone', () => {
    const rng = createRng(3);
    const errors = Array.from({ length: 5000 }, () => Math.exp(-2 + 0.5 * rng.normal()));
    const c = fitErrorCalibration(errors);
    expect(c.center).toBeCloseTo(-2, 1);
    expect(c.scale).toBeCloseTo(0.5, 1);
    expect(errorScore(c, Math.exp(c.center))).toBe(0);
    expect(errorScore(c, Math.exp(c.center - 1))).toBe(0);
    const z = 3.0902; // one-sided p = 1e-3
    expect(errorScore(c, Math.exp(c.center + z * c.scale))).toBeCloseTo(0.3, 3);
    // one-sided: p(z) = two-sided p / 2
    expect(errorScore(c, Math.exp(c.center + 5 * c.scale))).toBeCloseTo(scoreFromZExact(5) + Math.log10(2) / 10, 6);
    expect(errorScore(c, 1e9)).toBe(1);
  });
});
