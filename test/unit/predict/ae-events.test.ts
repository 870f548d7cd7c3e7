import { describe, expect, it } from 'vitest';
import { AlarmRule } from '../../../src/config/pipeline.js';
import { AnomalyEvent } from '../../../src/contracts/anomaly.js';
import type { Prediction } from '../../../src/contracts/prediction.js';
import { AutoencoderAlarms } from '../../../src/predict/ae-events.js';

const pred = (ts: number, score: number): Prediction => ({
  v: 1,
  id: `n1:ae@2:${ts}`,
  ts,
  source: 'n1',
  model: { name: 'ae', version: 2, kind: 'autoencoder' },
  horizonMs: 0,
  score,
  faults: [],
  contributors: [
    { metric: 'mem', share: 0.7 },
    { metric: 'cpu', share: 0.2 },
  ],
  reason: 'anomaly score 0.62 (reconstruction error 9.1× typical); most from mem (70 %), cpu (20 %)',
});

describe('autoencoder as a detector', () => {
  it('fires an AnomalyEvent through the alarm rules, naming the top contributing metrics, and resolves it', () => {
    const rule = AlarmRule.parse({ name: 'high', threshold: 0.5, minHits: 2, window: '5m', recover: '3m' });
    const a = new AutoencoderAlarms([rule]);
    const T = 1_700_000_000_000;
    const events = [0.1, 0.6, 0.62, 0.7, 0.1, 0.1, 0.1, 0.1].flatMap((s, i) => a.step(pred(T + i * 60_000, s)));
    expect(events.map((e) => e.state)).toEqual(['firing', 'resolved']);
    const [firing, resolved] = events as [AnomalyEvent, AnomalyEvent];
    expect(AnomalyEvent.parse(firing)).toEqual(firing);
    expect(firing).toMatchObject({ source: 'n1', metric: 'mem', rule: 'high', ts: T + 120_000, score: 0.62 });
    expect(firing.scores).toEqual({ 'model:ae': 0.62 });
    expect(firing.reason).toMatch(/most from mem \(70 %\), cpu \(20 %\)/);
    expect(resolved.id).toBe(`${firing.id}:resolved`);
    expect(a.step({ ...pred(T, 0.9), model: { name: 'p', version: 1, kind: 'predictor' }, score: null })).toEqual([]);
  });
});
