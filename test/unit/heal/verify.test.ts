import { describe, expect, it } from 'vitest';
import { parseHealConfig, RecoveryVerifier } from '../../../src/heal/index.js';
import { M, S, scores, T0 } from './helpers.js';

const cfg = parseHealConfig({ verify: { window: '5m', normalScore: 0.3, healthyFor: '30s' } }).verify;
const series = [
  { source: 'db', metric: 'mem' },
  { source: 'db', metric: 'latency_ms' },
];

describe('RecoveryVerifier', () => {
  it('success once every series is normal for healthyFor; time to recover from the action', () => {
    const v = new RecoveryVerifier(cfg);
    v.watch({ key: 'a1', series, actedAt: T0, onsetAt: T0 - M });
    expect(v.observeScores(scores('db', 'mem', [T0 + 10 * S, T0 + 20 * S, T0 + 50 * S], 0.1))).toEqual([]);
    expect(v.observeScores(scores('db', 'latency_ms', [T0 + 10 * S], 0.9))).toEqual([]);
    expect(v.observeScores(scores('db', 'latency_ms', [T0 + 30 * S, T0 + 45 * S], 0.1))).toEqual([]);
    const [r] = v.observeScores(scores('db', 'latency_ms', [T0 + 60 * S], 0.05));
    expect(r).toMatchObject({ key: 'a1', success: true, at: T0 + 30 * S, timeToRecoverMs: 30 * S });
    expect(r?.details['sinceOnsetMs']).toBe(90 * S);
    expect(v.watching()).toEqual([]);
  });

  it('a relapse resets the healthy run; points before the action do not count', () => {
    const v = new RecoveryVerifier(cfg);
    v.watch({ key: 'a', series: [series[0] as never], actedAt: T0, onsetAt: T0 });
    expect(v.observe('db', 'mem', T0 - 60 * S, 0)).toEqual([]);
    v.observe('db', 'mem', T0 + 10 * S, 0.1);
    v.observe('db', 'mem', T0 + 20 * S, 0.8);
    expect(v.observe('db', 'mem', T0 + 45 * S, 0.1)).toEqual([]);
    expect(v.observe('db', 'mem', T0 + 75 * S, 0.1)[0]).toMatchObject({ success: true, timeToRecoverMs: 45 * S });
  });

  it('a resolved alarm counts as recovered', () => {
    const v = new RecoveryVerifier(cfg);
    v.watch({ key: 'a', series: [series[0] as never], actedAt: T0, onsetAt: T0 });
    expect(v.observeResolved('db', 'mem', T0 + 2 * M)[0]).toMatchObject({ success: true, timeToRecoverMs: 2 * M });
  });

  it('fails when the window runs out (data time)', () => {
    const v = new RecoveryVerifier(cfg);
    v.watch({ key: 'a', series, actedAt: T0, onsetAt: T0 });
    v.observe('db', 'mem', T0 + 10 * S, 0.9);
    expect(v.expire(T0 + 5 * M)).toEqual([]);
    const [r] = v.expire(T0 + 5 * M + 1);
    expect(r).toMatchObject({ key: 'a', success: false, timeToRecoverMs: null, at: T0 + 5 * M });
    expect(r?.details['notRecovered']).toEqual(['db|mem', 'db|latency_ms']);
  });
});
