import { describe, expect, it } from 'vitest';
import { scoreFromLogP } from '../../../src/detect/calibrate.js';
import { cusumLogP } from '../../../src/detect/cusum.js';
import { gauss, makeDetector, STEP, T0 } from './helpers.js';

describe('cusum detector', () => {
  it('maps its statistic onto the common scale through the in-control ARL', () => {
    // h = 5, k = 0.5: ARL₀ ≈ 938 per side → p ≈ 1/469 → score ≈ 0.27
    expect(scoreFromLogP(cusumLogP(5, 0.5))).toBeCloseTo(0.267, 2);
    expect(scoreFromLogP(cusumLogP(10, 0.5))).toBeCloseTo(0.485, 2);
    expect(scoreFromLogP(cusumLogP(0, 0.5))).toBeLessThan(0.01);
    // k = 0 uses the limit (h + 1.166)²
    expect(Number.isFinite(cusumLogP(10, 0))).toBe(true);
    let prev = 0;
    for (let S = 0; S < 40; S += 0.5) {
      const sc = scoreFromLogP(cusumLogP(S, 0.5));
      expect(sc).toBeGreaterThanOrEqual(prev);
      prev = sc;
    }
  });

  it('detects a small sustained level shift, then re-baselines: the new normal stops alarming', () => {
    const det = makeDetector('cusum');
    const s = det.init();
    const noise = gauss(8);
    let i = 0;
    for (; i < 600; i++) expect(det.update(s, T0 + i * STEP, 100 + noise()).score).toBeLessThan(0.5);
    // +2σ: a point detector hardly sees it (score ≈ 0.13 each)
    let detectedAt = -1;
    let level = Number.NaN;
    const after: number[] = [];
    for (let j = 0; j < 400; j++, i++) {
      const o = det.update(s, T0 + i * STEP, 102 + noise());
      if (detectedAt < 0 && o.score >= 0.45) {
        detectedAt = j;
        level = o.newLevel ?? Number.NaN;
      } else if (detectedAt >= 0) after.push(o.score);
    }
    expect(detectedAt).toBeGreaterThanOrEqual(0);
    expect(detectedAt).toBeLessThan(30);
    expect(level).toBeGreaterThan(101);
    expect(level).toBeLessThan(103);
    expect(after.filter((x) => x >= 0.45)).toHaveLength(0);
  });

  it('does not call a single spike a change', () => {
    const det = makeDetector('cusum');
    const s = det.init();
    const noise = gauss(9);
    for (let i = 0; i < 600; i++) det.update(s, T0 + i * STEP, 100 + noise());
    const o = det.update(s, T0 + 600 * STEP, 150);
    expect(o.score).toBeLessThan(0.3);
    expect(Number.isNaN(o.newLevel ?? Number.NaN)).toBe(true);
    expect(o.z).toBeGreaterThan(30);
  });
});
