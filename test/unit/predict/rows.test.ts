import { describe, expect, it } from 'vitest';
import { RowAssembler } from '../../../src/predict/rows.js';

const pt = (source: string, metric: string, ts: number, value: number | null = 1) => ({
  v: 1 as const,
  ts,
  source,
  metric,
  value,
});

describe('RowAssembler', () => {
  it('releases a row as soon as every metric arrived, in any order, per source in time order', () => {
    const r = new RowAssembler(['a', 'b'], 120_000, 4);
    r.add(pt('s', 'b', 60_000, 2));
    r.add(pt('s', 'a', 120_000, 3)); // the next row starts before the first is complete
    expect(r.release()).toEqual([]);
    r.add(pt('s', 'a', 60_000, 1));
    expect(r.release()).toEqual([{ source: 's', ts: 60_000, values: [1, 2] }]);
    r.add(pt('s', 'b', 120_000, null)); // an explicit missing value completes the row too
    expect(r.release()).toEqual([{ source: 's', ts: 120_000, values: [3, null] }]);
  });

  it('an incomplete row is released once the source is rowGrace ahead; its late metric is dropped and counted', () => {
    const r = new RowAssembler(['a', 'b'], 120_000, 4);
    r.add(pt('s', 'a', 0, 1));
    r.add(pt('s', 'a', 60_000, 1));
    r.add(pt('s', 'b', 60_000, 1));
    expect(r.release()).toEqual([]); // row 0 still waits for b (60 s ahead < 120 s)
    r.add(pt('s', 'a', 120_000, 1));
    expect(r.release().map((x) => x.ts)).toEqual([0, 60_000]);
    expect(r.add(pt('s', 'b', 0, 5))).toBe(false);
    expect(r.late).toBe(1);
    expect(r.pendingRows()).toBe(1);
  });

  it('keeps the last rows per source and re-maps them to a new metric set', () => {
    const r = new RowAssembler(['a', 'b'], 0, 2);
    for (let t = 1; t <= 3; t++) {
      r.add(pt('s', 'a', t, t));
      r.add(pt('s', 'b', t, 10 * t));
    }
    r.release();
    expect([...r.history()].map((x) => x.ts)).toEqual([2, 3]);
    r.setMetrics(['b', 'c'], 5);
    expect([...r.history()].map((x) => x.values)).toEqual([
      [20, null],
      [30, null],
    ]);
    expect(r.add(pt('s', 'a', 9))).toBe(false); // no longer a metric of the model
  });
});
