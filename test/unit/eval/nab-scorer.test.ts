import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  baselines,
  bestRow,
  buildLayout,
  curveRow,
  type LabelWindow,
  MAX_TP,
  NAB_PROFILES,
  normalizeScore,
  type Profile,
  parseCsv,
  parseNabTimestamp,
  parseWindows,
  prepareSweep,
  probationaryLength,
  rowAtThreshold,
  scaledSigmoid,
  scoreFile,
  sweepCurve,
  sweepWeighted,
  weightedRowsFromPoints,
} from '../../../src/eval/nab/index.js';

const ONES: Profile = { name: 'ones', tpWeight: 1, fnWeight: 1, fpWeight: 1 };
const STEP = 5 * 60_000;
const ts = (n: number) => Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * STEP);
const win = (t: Float64Array, a: number, b: number): LabelWindow => ({
  start: t[a] as number,
  end: t[b] as number,
  startText: String(a),
  endText: String(b),
});

describe('scaledSigmoid (spec §2)', () => {
  it('matches the reference values', () => {
    expect(scaledSigmoid(-1)).toBe(0.9866142981514305);
    expect(MAX_TP).toBe(0.9866142981514305);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.8482836399575131, 15);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(0.75)).toBeCloseTo(-0.9540452601799487, 15);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(2.999)).toBeCloseTo(-0.99999939, 8);
    // NAB's code: `if relativePositionInWindow >= 3.0: return -1.0`
    expect(scaledSigmoid(3)).toBe(-1);
    expect(scaledSigmoid(3.5)).toBe(-1);
  });
  it('is monotonically decreasing', () => {
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0, max: 5, noNaN: true }), (x, d) => {
        expect(scaledSigmoid(x + d)).toBeLessThanOrEqual(scaledSigmoid(x));
      }),
    );
  });
});

describe('probationary length (spec §1, sweeper_test.py)', () => {
  it.each([
    [100, 0.0, 0],
    [100, 1.0, 100],
    [100, 0.1, 10],
    [100, 0.15, 15],
    [5000, 0.1, 500],
    [6000, 0.1, 500],
    [4032, 0.15, 604],
    [22695, 0.15, 750],
  ])('(%i rows, %f) → %f', (n, pct, len) => {
    expect(probationaryLength(n, pct)).toBe(len);
  });
});

describe('per-file scoring (scorer_test.py vectors, probation 0, weights 1)', () => {
  // generateWindows(100 rows, 2 windows of 5): windows at rows 30..34 and 65..69
  const t = ts(100);
  const layout = buildLayout('test.csv', t, [win(t, 30, 34), win(t, 65, 69)], 0);

  it('all metrics: TP on the first row, extra TP, FP 3 rows after the window → −0.9540', () => {
    const a = new Float64Array(100);
    a[30] = 1;
    a[31] = 1;
    a[37] = 1;
    const s = scoreFile(layout, a, ONES, 0.5);
    expect(s.score).toBeCloseTo(1 - 1 + scaledSigmoid(3 / 4), 12);
    expect(s.score).toBeCloseTo(-0.954, 4);
    expect([s.tn, s.tp, s.fp, s.fn]).toEqual([89, 2, 1, 8]);
  });

  it('null case: no windows, no detections → 0', () => {
    const t10 = ts(10);
    const s = scoreFile(buildLayout('n.csv', t10, [], 0), new Float64Array(10), ONES, 0.5);
    expect(s.score).toBe(0);
    expect([s.tn, s.tp, s.fp, s.fn]).toEqual([10, 0, 0, 0]);
  });

  it('reward low FN: the all-missed score doubles with fnWeight 2', () => {
    const one = buildLayout('w.csv', t, [win(t, 45, 54)], 0);
    const a = new Float64Array(100);
    const s1 = scoreFile(one, a, ONES, 0.5);
    const s2 = scoreFile(one, a, { ...ONES, fnWeight: 2, fpWeight: 0.055 }, 0.5);
    expect(s1.score).toBe(-1);
    expect(s1.score).toBe(0.5 * s2.score);
    expect([s1.tn, s1.tp, s1.fp, s1.fn]).toEqual([90, 0, 0, 10]);
  });

  it('reward low FP: an FP before any window costs a full fpWeight', () => {
    const none = buildLayout('f.csv', t, [], 0);
    const a = new Float64Array(100);
    a[0] = 1;
    const s1 = scoreFile(none, a, ONES, 0.5);
    const s2 = scoreFile(none, a, { ...ONES, fpWeight: 2, fnWeight: 0.5 }, 0.5);
    expect(s1.score).toBe(-1);
    expect(s1.score).toBe(0.5 * s2.score);
    expect([s1.tn, s1.tp, s1.fp, s1.fn]).toEqual([99, 0, 1, 0]);
  });

  it('window rows score positive, others negative; probationary rows are not counted', () => {
    const t100 = ts(100);
    const l = buildLayout('p.csv', t100, [win(t100, 30, 39), win(t100, 75, 95)], 0.1);
    expect(l.probation).toBe(10);
    let inside = 0;
    for (let i = 0; i < 100; i++) {
      const s = l.unweighted[i] as number;
      if ((l.window[i] as number) >= 0) {
        inside++;
        expect(s).toBeGreaterThan(0);
      } else expect(s).toBeLessThan(0);
    }
    expect(inside).toBe(10 + 21);
    const all = scoreFile(l, new Float64Array(100).fill(1), NAB_PROFILES[0] as Profile, 0.5);
    expect(all.total).toBe(90);
  });

  it('the first row of a window earns exactly tpWeight; the reward falls towards the end', () => {
    const l = buildLayout('e.csv', t, [win(t, 30, 34)], 0);
    const at = (row: number) => {
      const a = new Float64Array(100);
      a[row] = 1;
      return scoreFile(l, a, ONES, 1).score;
    };
    expect(at(30)).toBe(1);
    expect(at(31)).toBeLessThan(1);
    expect(at(34)).toBeGreaterThan(0);
    expect(at(34)).toBeCloseTo(scaledSigmoid(-1 / 5) / MAX_TP, 15);
    // just after the window: almost free; 3·(W−1) rows later: a full FP
    expect(at(35)).toBeCloseTo(scaledSigmoid(1 / 4) - 1, 15);
    expect(at(34 + 12)).toBe(-2);
  });

  it('matches window bounds by timestamp value, whatever the fraction', () => {
    const csv = parseCsv('timestamp,value\n2014-04-10 07:10:00,1\n2014-04-10 07:15:00,2\n', 'x.csv');
    const w = parseWindows({ 'a/x.csv': [['2014-04-10 07:15:00.000000', '2014-04-10 07:15:00.000000']] }, 'w.json');
    const times = Float64Array.from(csv.column('timestamp').map((s) => parseNabTimestamp(s)));
    const l = buildLayout('a/x.csv', times, w.get('a/x.csv') as LabelWindow[], 0);
    expect(Array.from(l.window)).toEqual([-1, 0]);
  });

  it('rejects a window whose end is not a timestamp of the file', () => {
    const w = { start: t[10] as number, end: (t[12] as number) + 1, startText: 's', endText: 'e' };
    expect(() => buildLayout('bad.csv', t, [w], 0)).toThrow(/window end e is not a timestamp/);
  });
});

describe('threshold sweep (sweeper_test.py testCalcScoreByThresholdReturnsExpectedScores)', () => {
  it('emits the expected (threshold, score, tp, tn, fp, fn, total) rows', () => {
    const rows = weightedRowsFromPoints([
      { anomaly: 0.5, sweepScore: -1000, window: 'probationary' },
      { anomaly: 0.5, sweepScore: -1000, window: 'probationary' },
      { anomaly: 0.0, sweepScore: -3, window: null },
      { anomaly: 0.2, sweepScore: 20, window: 'windowA' },
      { anomaly: 0.3, sweepScore: 10, window: 'windowA' },
      { anomaly: 0.5, sweepScore: 5, window: 'windowB' },
      { anomaly: 0.5, sweepScore: -3, window: null },
    ]);
    const curve = sweepWeighted(rows, 5);
    const got = Array.from({ length: curve.length }, (_, j) => {
      const r = curveRow(curve, j);
      return [r.threshold, r.score, r.tp, r.tn, r.fp, r.fn, r.total];
    });
    expect(got).toEqual([
      [1.1, -10, 0, 2, 0, 3, 5],
      [0.5, -3, 1, 1, 1, 2, 5],
      [0.3, 12, 2, 1, 1, 1, 5],
      [0.2, 22, 3, 1, 1, 0, 5],
      [0.0, 19, 3, 0, 2, 0, 5],
    ]);
    // optimiser: the best score, on ties the highest threshold
    expect(bestRow(curve).threshold).toBe(0.2);
    // lookup (scoreDataSet): exact match, else the row before the first threshold below t
    expect(rowAtThreshold(curve, 0.3).score).toBe(12);
    expect(rowAtThreshold(curve, 0.25).score).toBe(12);
    expect(rowAtThreshold(curve, 0.6).score).toBe(-10);
    expect(rowAtThreshold(curve, -1).score).toBe(19);
  });

  it('the sweep agrees with direct per-file scoring at every threshold (random files)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 40, maxLength: 120 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        (levels, nWin, p) => {
          const n = levels.length;
          const t = ts(n);
          const windows: LabelWindow[] = [];
          for (let k = 0; k < nWin; k++) {
            const a = Math.floor(((k + 0.5) * n) / (nWin + 0.5));
            const b = Math.min(n - 1, a + 3 + k);
            if (windows.length && (windows[windows.length - 1] as LabelWindow).end >= (t[a] as number)) continue;
            windows.push(win(t, a, b));
          }
          const layout = buildLayout('r.csv', t, windows, 0.15);
          const anomaly = Float64Array.from(levels, (v) => v / 20);
          const profile = NAB_PROFILES[p] as Profile;
          const curve = sweepCurve(prepareSweep([{ layout, anomaly }]), profile);
          for (let j = 0; j < curve.length; j++) {
            const row = curveRow(curve, j);
            const direct = scoreFile(layout, anomaly, profile, row.threshold);
            expect(row.score).toBeCloseTo(direct.score, 10);
            expect([row.tp, row.tn, row.fp, row.fn]).toEqual([direct.tp, direct.tn, direct.fp, direct.fn]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects scores outside [0,1] and length mismatches', () => {
    const t = ts(10);
    const layout = buildLayout('x.csv', t, [], 0);
    expect(() => prepareSweep([{ layout, anomaly: new Float64Array(10).fill(1.5) }])).toThrow(/not in \[0,1\]/);
    expect(() => prepareSweep([{ layout, anomaly: new Float64Array(9) }])).toThrow(/9 anomaly scores for 10/);
  });
});

describe('normalisation (spec §6)', () => {
  it('null → 0, perfect → 100, per profile', () => {
    const [std, lowFp, lowFn] = NAB_PROFILES as [Profile, Profile, Profile];
    expect(normalizeScore(-116, baselines(std, 116))).toBe(0);
    expect(normalizeScore(116, baselines(std, 116))).toBe(100);
    expect(normalizeScore(46.63445019713757, baselines(std, 116))).toBeCloseTo(70.10105611943965, 9);
    expect(normalizeScore(30.431072517124086, baselines(lowFp, 116))).toBeCloseTo(63.11684160219828, 9);
    expect(baselines(lowFn, 116)).toEqual({ perfect: 116, base: -232 });
    expect(normalizeScore(0, baselines(std, 0))).toBeNull();
  });
});

describe('input parsing', () => {
  it('parses NAB timestamps with or without a fraction, and rejects others', () => {
    expect(parseNabTimestamp('2014-04-10 07:15:00')).toBe(parseNabTimestamp('2014-04-10 07:15:00.000000'));
    expect(parseNabTimestamp('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(() => parseNabTimestamp('10/04/2014', 'f.csv:2')).toThrow(/f.csv:2: bad timestamp/);
  });
  it('CSV errors name the file, row and column', () => {
    expect(() => parseCsv('timestamp,value\na,1,2\n', 'd.csv')).toThrow(/d.csv:2: row has 3 cells/);
    expect(() => parseCsv('timestamp,value\na,x\n', 'd.csv').numbers('value')).toThrow(/d.csv:2: column "value"/);
    expect(() => parseCsv('timestamp,value\n', 'd.csv').column('anomaly_score')).toThrow(/missing column/);
  });
  it('windows JSON is validated', () => {
    expect(() => parseWindows({ f: [['2014-01-01 00:00:00']] }, 'w.json')).toThrow(/w.json: invalid windows/);
  });
});
