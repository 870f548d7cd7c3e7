import { describe, expect, it } from 'vitest';
import type { FaultSample } from '../../../src/contracts/samples.js';
import { averagePrecision, evaluate } from '../../../src/ml/evaluate.js';

const fault = (start: number, end: number): FaultSample => ({
  v: 1,
  source: 's',
  start,
  end,
  type: 'node_failure',
  severity: 'critical',
});

describe('averagePrecision', () => {
  it('is 1 for a perfect ranking and the positive rate-ish for a reversed one', () => {
    expect(averagePrecision([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(averagePrecision([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBeCloseTo((1 / 3 + 2 / 4) / 2, 9);
    expect(averagePrecision([0.5, 0.5], [1, 0])).toBe(0.5); // ties are one step
  });
});

describe('evaluate', () => {
  it('counts detections, lead time, alarm episodes and false alarms per day', () => {
    const min = 60_000;
    // one source, 1-minute windows over one day; a fault at minute 600; horizon 10 min
    const n = 1440;
    const end = Float64Array.from({ length: n }, (_, i) => i * min);
    const scores = new Float32Array(n);
    const labels = new Float32Array(n);
    for (let i = 590; i < 600; i++) labels[i] = 1;
    for (let i = 594; i < 600; i++) scores[i] = 0.9; // alarms 6 minutes ahead
    scores[100] = 0.9; // a false alarm
    scores[101] = 0.9; // … the same episode
    scores[1000] = 0.7;
    const r = evaluate({
      idx: Int32Array.from({ length: n }, (_, i) => i),
      end,
      src: new Int32Array(n),
      sources: ['s'],
      scores,
      labels,
      K: 1,
      classes: ['node_failure'],
      faults: new Map([['s', [fault(600 * min, 610 * min)]]]),
      threshold: 0.5,
      horizonMs: 10 * min,
      until: 'start',
    });
    expect(r.positives).toBe(10);
    expect(r.precision).toBeCloseTo(6 / 9, 9);
    expect(r.recall).toBeCloseTo(0.6, 9);
    expect(r.events).toMatchObject({ faults: 1, detected: 1, alarms: 3, falseAlarms: 2 });
    expect(r.events.meanLeadTimeMs).toBe(6 * min);
    expect(r.events.precision).toBeCloseTo(1 / 3, 9);
    expect(r.events.falseAlarmsPerDay).toBeCloseTo(2 / (1439 / 1440), 6);
  });
});
