import { describe, expect, it } from 'vitest';
import {
  encodeWindow,
  FEATURE_PIPELINE_VERSION,
  type FeatureSchema,
  featureMetric,
  frameWindows,
  initStream,
  inputSize,
  pushRow,
  windowReady,
} from '../../../src/ml/features.js';
import { buildFrames } from '../../../src/ml/frames.js';
import { fitScaler } from '../../../src/ml/scaler.js';

const schema = (over: Partial<FeatureSchema> = {}): FeatureSchema => ({
  version: FEATURE_PIPELINE_VERSION,
  metrics: ['a', 'b'],
  window: 3,
  stepMs: 1000,
  missing: 'ffill+mask',
  scaler: { center: [10, 0], scale: [2, 1] },
  clip: 10,
  ...over,
});

function windowOf(s: FeatureSchema, rows: (number | null)[][]): number[] {
  const st = initStream(s);
  for (const [i, r] of rows.entries()) pushRow(s, st, i * 1000, r);
  const out = new Float32Array(inputSize(s));
  encodeWindow(s, st, out, 0);
  return [...out];
}

describe('feature pipeline', () => {
  it('scales, orders rows oldest first and appends the missing fractions', () => {
    const s = schema();
    expect(
      windowOf(s, [
        [10, 1],
        [12, 2],
        [14, 3],
      ]),
    ).toEqual([0, 1, 1, 2, 2, 3, 0, 0]);
    expect(inputSize(s)).toBe(8);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((d) => featureMetric(s, d))).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it('forward-fills a missing value and counts it in the mask; before any value it is the center', () => {
    const s = schema();
    const w = windowOf(s, [
      [null, 1],
      [12, null],
      [null, null],
    ]);
    // a: center (0) then 12 → 1, then 1 again; b: 1, 1, 1
    expect(w).toEqual([0, 1, 1, 1, 1, 1, 2 / 3, 2 / 3].map((x) => Math.fround(x)));
  });

  it('clips extreme values', () => {
    const w = windowOf(schema({ clip: 4 }), [
      [10, 0],
      [10, 0],
      [1e9, -1e9],
    ]);
    expect(w.slice(4, 6)).toEqual([4, -4]);
  });

  it('only rolls a window once it holds `window` rows; state is plain JSON', () => {
    const s = schema();
    const st = initStream(s);
    pushRow(s, st, 0, [10, 0]);
    pushRow(s, st, 1, [10, 0]);
    expect(windowReady(s, st)).toBe(false);
    pushRow(s, st, 2, [10, 0]);
    expect(windowReady(s, st)).toBe(true);
    expect(JSON.parse(JSON.stringify(st))).toEqual(st);
  });

  it('training windows (frameWindows) equal the streaming encoder row by row', () => {
    const points = [0, 1, 2, 3, 4].flatMap((i) => [
      { v: 1 as const, ts: i * 1000, source: 's', metric: 'a', value: i === 2 ? null : 10 + i },
      { v: 1 as const, ts: i * 1000, source: 's', metric: 'b', value: i },
    ]);
    const { frames, metrics } = buildFrames(points);
    expect(metrics).toEqual(['a', 'b']);
    const s = schema();
    const w = frameWindows(s, frames[0]!);
    expect(w.n).toBe(3);
    expect([...w.end]).toEqual([2000, 3000, 4000]);
    expect([...w.start]).toEqual([0, 1000, 2000]);
    const last = windowOf(s, [
      [10, 0],
      [11, 1],
      [null, 2],
      [13, 3],
      [14, 4],
    ]);
    expect([...w.x.subarray(2 * 8, 3 * 8)]).toEqual(last);
  });
});

describe('fitScaler', () => {
  it('robust center/scale from training rows only, std fallback for mostly-constant metrics', () => {
    const points = Array.from({ length: 200 }, (_, i) => [
      { v: 1 as const, ts: i, source: 's', metric: 'x', value: i < 100 ? (i % 10) - 4.5 : 1e6 },
      { v: 1 as const, ts: i, source: 's', metric: 'y', value: i % 50 === 0 ? 5 : 0 },
    ]).flat();
    const { frames } = buildFrames(points);
    const sc = fitScaler(frames, 2, 100);
    expect(sc.center[0]).toBeCloseTo(0, 9); // the 1e6 values after ts 100 are ignored
    expect(sc.scale[0]).toBeGreaterThan(2);
    expect(sc.scale[0]).toBeLessThan(5);
    expect(sc.center[1]).toBe(0);
    expect(sc.scale[1]).toBeGreaterThan(0); // MAD = 0 → standard deviation
  });
});
