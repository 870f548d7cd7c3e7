import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordCalibration, ratioFromScore, scoreFromRatio } from '../../../src/detect/record.js';

const opts = { margin: 1, warmup: 0, quiet: 0, halfLife: 0, settle: 0, settleMargin: 0 };
const FLOOR = 1e-9;

/** learn the residuals, return the score of each (before learning it) */
function run(cal: RecordCalibration, rs: number[]): number[] {
  const s = cal.init();
  return rs.map((r) => {
    const score = cal.score(s, r, FLOOR);
    cal.learn(s, r);
    return score;
  });
}

describe('record scale', () => {
  it('maps the ratio to the record onto [0, 1): 1 → 0, 1.2 → 0.5, monotone, with an exact inverse', () => {
    expect(scoreFromRatio(1)).toBe(0);
    expect(scoreFromRatio(0.5)).toBe(0);
    expect(scoreFromRatio(Number.NaN)).toBe(0);
    expect(scoreFromRatio(1.2)).toBeCloseTo(0.5, 12);
    fc.assert(
      fc.property(
        fc.double({ min: 1.0001, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (r, d) => {
          const s = scoreFromRatio(r);
          expect(s).toBeGreaterThan(0);
          expect(s).toBeLessThan(1);
          expect(scoreFromRatio(r + d)).toBeGreaterThanOrEqual(s);
          expect(ratioFromScore(s)).toBeCloseTo(r, 6);
        },
      ),
    );
  });
});

describe('RecordCalibration', () => {
  it('scores only strict records, by how far they beat the record of their sign', () => {
    const cal = new RecordCalibration(opts);
    const scores = run(cal, [1, -1, 0.5, 1, 1.2, -0.9, -2, 3]);
    // first residual of each sign beats a record of 0: a record (ratio against the floor: → 1)
    expect(scores[0]).toBeCloseTo(1, 6);
    expect(scores[1]).toBeCloseTo(1, 6);
    expect(scores[2]).toBe(0); // below the record
    expect(scores[3]).toBe(0); // equal: not a strict record
    expect(scores[4]).toBeCloseTo(0.5, 9); // 1.2 × the record
    expect(scores[5]).toBe(0);
    expect(scores[6]).toBeCloseTo(scoreFromRatio(2), 9); // the negative record was 1
    expect(scores[7]).toBeCloseTo(scoreFromRatio(2.5), 9); // the positive record was 1.2
  });

  it('applies the margin: a record must beat margin × the record to score', () => {
    const cal = new RecordCalibration({ ...opts, margin: 1.5 });
    const scores = run(cal, [2, 2.9, 4.8, 4.8 * 1.2 * 1.5]);
    expect(scores[1]).toBe(0); // 1.45 × the record: below the margin
    expect(scores[2]).toBeCloseTo(scoreFromRatio(4.8 / 2.9 / 1.5), 9);
    expect(scores[3]).toBeCloseTo(0.5, 9); // 1.2 × margin × the record
  });

  it('keeps quiet after a record: a climb reports its start, then the next record after `quiet` points', () => {
    const cal = new RecordCalibration({ ...opts, quiet: 5 });
    const base = [1, -1, 0.5, -0.5, 0.2, 0.1];
    const scores = run(cal, [...base, 2, 3, 4, 0, 0, 5, 0, 0, 0, 0, 0, 9]);
    const after = scores.slice(base.length);
    expect(after[0]).toBeGreaterThan(0.9); // 2 vs record 1
    expect(after[1]).toBe(0); // 3: a record, but 1 point after the previous one
    expect(after[2]).toBe(0); // 4: 2 points after
    expect(after[5]).toBe(0); // 5: 3 points after the record 4
    expect(after[11]).toBeGreaterThan(0.5); // 9: 6 points after the record 5
  });

  it('does not score before `warmup` residuals are learnt', () => {
    const cal = new RecordCalibration({ ...opts, warmup: 3 });
    const scores = run(cal, [1, 2, 3, 10]);
    expect(scores.slice(0, 3)).toEqual([0, 0, 0]);
    expect(scores[3]).toBeGreaterThan(0.9);
  });

  it('lets the records decay with halfLife learnt points', () => {
    const cal = new RecordCalibration({ ...opts, halfLife: 100 });
    const s = cal.init();
    cal.learn(s, 10);
    for (let i = 0; i < 100; i++) cal.learn(s, 0.1);
    expect(s.ru).toBeCloseTo(5, 6);
    expect(cal.score(s, 6, FLOOR)).toBeCloseTo(scoreFromRatio(6 / 5), 6);
  });

  it('never lets jitter below the floor count as a record (a constant series stays at 0)', () => {
    const cal = new RecordCalibration(opts);
    const s = cal.init();
    for (let i = 0; i < 1000; i++) {
      const r = (i % 3) * 1e-12;
      expect(cal.score(s, r, 1e-9)).toBe(0);
      cal.learn(s, r);
    }
  });

  it('ignores non-finite residuals and keeps its state finite', () => {
    const cal = new RecordCalibration({ ...opts, halfLife: 10 });
    const s = cal.init();
    for (const r of [Number.NaN, Number.POSITIVE_INFINITY, 1e300, -1e300, 5e-324, 0]) {
      expect(cal.score(s, r, FLOOR)).toBeGreaterThanOrEqual(0);
      cal.learn(s, r);
    }
    for (let i = 0; i < 10_000; i++) cal.learn(s, 0);
    expect(JSON.stringify(s)).not.toContain('null');
    expect(s.ru).toBe(0);
  });
});

describe('RecordCalibration: settling', () => {
  it('asks young records for a larger margin, relaxing linearly to the margin over `settle` residuals', () => {
    const cal = new RecordCalibration({ ...opts, settle: 100, settleMargin: 0.5 });
    expect(cal.marginAt(0)).toBeCloseTo(1.5, 12);
    expect(cal.marginAt(50)).toBeCloseTo(1.25, 12);
    expect(cal.marginAt(100)).toBe(1);
    expect(cal.marginAt(1e6)).toBe(1);
    const s = cal.init();
    cal.learn(s, 1);
    // a record 1.2× the old one: below the young margin (≈1.5×), 0.5 once settled
    expect(cal.score(s, 1.2, FLOOR)).toBe(0);
    for (let i = 0; i < 200; i++) cal.learn(s, 0.5);
    expect(cal.score(s, 1.2, FLOOR)).toBeCloseTo(0.5, 9);
  });
});
