import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  intensityAllows,
  nextRestartAt,
  parseHealConfig,
  restartsInPeriod,
  TargetLadder,
} from '../../../src/heal/index.js';
import { M, S, T0 } from './helpers.js';

const k8s = { initialMs: 10 * S, maxMs: 5 * M };

describe('back-off (Kubernetes-style, data time)', () => {
  it('is 0 before the first restart, then 10 s doubling to a 5-minute cap', () => {
    const delays = Array.from({ length: 9 }, (_, n) => backoffDelay(k8s, n) / S);
    expect(delays).toEqual([0, 10, 20, 40, 80, 160, 300, 300, 300]);
    expect(backoffDelay(k8s, 1000)).toBe(5 * M);
    expect(nextRestartAt(k8s, 0, undefined)).toBe(Number.NEGATIVE_INFINITY);
    expect(nextRestartAt(k8s, 3, T0)).toBe(T0 + 40 * S);
  });
});

describe('restart intensity (OTP)', () => {
  it('allows at most N restarts within T', () => {
    const p = { maxRestarts: 3, periodMs: 10 * M };
    const times = [T0, T0 + M, T0 + 2 * M];
    expect(intensityAllows(p, times.slice(0, 2), T0 + 3 * M)).toEqual({ ok: true, count: 2 });
    expect(intensityAllows(p, times, T0 + 3 * M)).toEqual({ ok: false, count: 3 });
    expect(restartsInPeriod(times, T0 + 10 * M + 1, 10 * M)).toBe(2);
    expect(intensityAllows(p, times, T0 + 10 * M + 1).ok).toBe(true);
  });

  it('OTP default (1 restart in 5 s) is expressible', () => {
    const p = { maxRestarts: 1, periodMs: 5 * S };
    expect(intensityAllows(p, [], T0).ok).toBe(true);
    expect(intensityAllows(p, [T0], T0 + 4 * S).ok).toBe(false);
    expect(intensityAllows(p, [T0], T0 + 5 * S).ok).toBe(true);
  });
});

describe('TargetLadder', () => {
  const cfg = parseHealConfig({
    ladder: { maxRestarts: 3, period: '10m', backoffInitial: '10s', backoffMax: '5m', resetAfter: '10m' },
  });

  it('restart timings follow the back-off in data time; the 4th restart within 10 minutes escalates', () => {
    const l = new TargetLadder(cfg.ladder);
    let t = T0;
    expect(l.checkRestart('db', t).ok).toBe(true);
    l.recordRestart('db', t);
    const b1 = l.checkRestart('db', t + 9 * S);
    expect(b1).toMatchObject({ ok: false, kind: 'backoff', until: T0 + 10 * S });
    t += 10 * S;
    expect(l.checkRestart('db', t).ok).toBe(true);
    l.recordRestart('db', t);
    expect(l.checkRestart('db', t + 19 * S)).toMatchObject({ ok: false, kind: 'backoff', until: t + 20 * S });
    t += 20 * S;
    l.recordRestart('db', t);
    const c = l.checkRestart('db', t + 40 * S);
    expect(c).toMatchObject({ ok: false, kind: 'intensity' });
    expect(c.reason).toMatch(/3 restarts within 600s/);
  });

  it('back-off grows across failures and resets after 10 healthy minutes; exhausted rungs too', () => {
    const l = new TargetLadder({ ...cfg.ladder, maxRestarts: 100 });
    let t = T0;
    for (let i = 0; i < 8; i++) {
      l.failing('api', t);
      l.recordRestart('api', t);
      l.healthy('api', t + S);
      t += 6 * M;
    }
    expect(l.state('api').consecutive).toBe(8);
    expect(l.checkRestart('api', T0 + 7 * 6 * M + 4 * M)).toMatchObject({ kind: 'backoff' });
    l.exhaust('api', 'restart', 'failed');
    l.failing('api', t);
    expect(l.state('api').consecutive).toBe(8);
    expect(l.exhausted('api').has('restart')).toBe(true);
    l.healthy('api', t);
    expect(l.failing('api', t + 10 * M - 1)).toBe(false);
    l.healthy('api', t + 10 * M);
    expect(l.failing('api', t + 20 * M)).toBe(true);
    expect(l.state('api').consecutive).toBe(0);
    expect(l.exhausted('api').size).toBe(0);
    expect(l.checkRestart('api', t + 20 * M).ok).toBe(true);
  });
});
