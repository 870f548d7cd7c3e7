import { describe, expect, it } from 'vitest';
import type { RangeState } from '../../../src/detect/range.js';
import { scoreFromRatio } from '../../../src/detect/record.js';
import { gauss, makeFrom, STEP, T0 } from './helpers.js';

const cfg = (extra: Record<string, unknown> = {}, record: Record<string, unknown> = {}) => ({
  kind: 'range',
  ...extra,
  record: { warmup: 0, quiet: 0, halfLife: 0, settle: 0, ...record },
});

function feed(det: ReturnType<typeof makeFrom>, s: unknown, xs: number[], from = 0): number[] {
  return xs.map((x, i) => det.update(s, T0 + (from + i) * STEP, x).score);
}

describe('range detector', () => {
  it('scores a value beyond every value seen by how far, relative to the range', () => {
    const det = makeFrom(cfg());
    const s = det.init();
    feed(det, s, [10, 20, 15, 12]);
    // range [10, 20]: 23 is 30 % of the range above it
    // (less the σ floor, 1e-6 of the level: jitter never counts)
    expect(det.update(s, T0, 23).score).toBeCloseTo(scoreFromRatio(1.3), 4);
    // a dip 50 % of the (new) range [10, 23] below it
    expect(det.update(s, T0, 10 - 6.5).score).toBeCloseTo(scoreFromRatio(1.5), 4);
    // inside the range: 0
    expect(feed(det, s, [10, 20, 3.5, 23])).toEqual([0, 0, 0, 0]);
  });

  it('applies the margin and the tolerance', () => {
    const det = makeFrom(cfg({ tolerance: 0.1 }, { margin: 0.8 }));
    const s = det.init();
    feed(det, s, [0, 10]);
    expect(det.update(s, T0, 10.9).score).toBe(0); // within 10 % of the range
    const st = det.init();
    feed(det, st, [0, 10]);
    expect(det.update(st, T0, 13).score).toBeCloseTo(scoreFromRatio(1.2 / 0.8), 4); // 30 % − 10 %
  });

  it('reports the start of a climb, then stays quiet until `quiet` points pass without a new extreme', () => {
    const det = makeFrom(cfg({}, { quiet: 10 }));
    const s = det.init();
    feed(det, s, [0, 1, 0.5, 0.2, 0.4, 0.6, 0.3, 0.5, 0.7, 0.2, 0.3, 0.5]);
    const climb = feed(det, s, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(climb[0]).toBeGreaterThan(0.9);
    expect(climb.slice(1).every((x) => x === 0)).toBe(true);
    const hold = feed(det, s, [11, 11, 11, 11, 11, 11, 11, 11, 11, 20]);
    expect(hold[9]).toBeGreaterThan(0.5); // 10 points after the last new extreme
  });

  it('never alarms on a constant series with rounding jitter, and a new level inside the widened range is normal', () => {
    const det = makeFrom({ kind: 'range' });
    const s = det.init() as RangeState;
    const noise = gauss(3);
    let max = 0;
    for (let i = 0; i < 2000; i++)
      max = Math.max(max, det.update(s, T0 + i * STEP, 41.5 + 1e-9 * 41.5 * noise()).score);
    expect(max).toBe(0);
    // a step to a new level: the first point alarms, the new level does not
    const step = feed(
      det,
      s,
      Array.from({ length: 50 }, () => 60),
      2000,
    );
    expect(step[0]).toBeGreaterThan(0.9);
    expect(step.slice(1).every((x) => x === 0)).toBe(true);
  });

  it('relaxes the extremes towards the middle with record.halfLife', () => {
    const det = makeFrom(cfg({}, { halfLife: 100 }));
    const s = det.init() as RangeState;
    feed(det, s, [0, 100]);
    feed(
      det,
      s,
      Array.from({ length: 100 }, () => 50),
    );
    expect(s.hi).toBeCloseTo(75, 6);
    expect(s.lo).toBeCloseTo(25, 6);
  });
});
