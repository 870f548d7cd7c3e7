import { describe, expect, it } from 'vitest';
import { scoreFromZ } from '../../../src/detect/calibrate.js';
import { learnTail, type TailState, tailScore } from '../../../src/detect/tail.js';
import { gauss, makeDetector, STEP, T0 } from './helpers.js';

describe('heavy-tail guard', () => {
  it('is the Gaussian score until the series has shown recurring exceedances', () => {
    const t: TailState = { e: 0, g: 0, q: 0 };
    expect(tailScore(t, 8)).toBe(scoreFromZ(8));
    // one episode of five consecutive exceedances counts once and changes nothing
    for (let i = 0; i < 5; i++) learnTail(t, 10);
    expect(tailScore(t, 10)).toBe(scoreFromZ(10));
    // separate episodes do
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < 50; i++) learnTail(t, 0.5);
      learnTail(t, 10);
    }
    expect(tailScore(t, 10)).toBeLessThan(0.6);
    // and below 4σ the guard never applies
    expect(tailScore(t, 3)).toBe(scoreFromZ(3));
  });

  it('keeps every point of one sustained incident high (zscore, holt)', () => {
    for (const kind of ['zscore', 'holt'] as const) {
      const det = makeDetector(kind);
      const s = det.init();
      const noise = gauss(31);
      for (let i = 0; i < 500; i++) det.update(s, T0 + i * STEP, 40 + 2 * noise());
      const scores = [0, 1, 2].map((j) => det.update(s, T0 + (500 + j) * STEP, 97).score);
      // holt restarts its level after two outliers on one side: the third point is the new normal
      const expectHigh = kind === 'holt' ? scores.slice(0, 2) : scores;
      for (const sc of expectHigh) expect(sc, kind).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('stops alarming on each burst of a series with recurring bursts (zscore)', () => {
    const det = makeDetector('zscore');
    const s = det.init();
    const noise = gauss(32);
    const high: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const burst = i % 150 === 0;
      const sc = det.update(s, T0 + i * STEP, burst ? 60 : 40 + 2 * noise()).score;
      if (burst && i > 0) high.push(sc);
    }
    expect(high[0]).toBeGreaterThanOrEqual(0.9);
    expect(high.slice(-5).every((x) => x < 0.5)).toBe(true);
  });
});
