import { describe, expect, it } from 'vitest';
import { action, cluster, MIN, metricOf, S, stepTo, T0 } from './helpers.js';

describe('actions take effect on the cluster', () => {
  it('restart clears a memory leak before its impact (a fix, recovered by the action)', () => {
    const c = cluster();
    const m0 = metricOf(stepTo(c, T0 + 10 * S), 'api-1', 'mem') as number;
    const t = c.inject({ kind: 'memory_leak', at: T0 + 11 * S, target: 'api-1', toImpactMs: 10 * MIN });
    stepTo(c, T0 + 11 * S + 4 * MIN);
    const now = c.now() as number;
    const r = c.apply(action('restart', 'api-1'), now);
    expect(r.success).toBeUndefined();
    expect(c.view('api-1').down).toBe(true);
    const after = stepTo(c, now + 10 * S);
    expect(Math.abs((metricOf(after, 'api-1', 'mem') as number) - m0)).toBeLessThan(5);
    expect(t.recoveredBy).toBe('action');
    expect(t.recoveredWith).toBe('restart');
    expect(t.firstFixAt).toBeLessThan(t.impactAt);
    expect(c.actions().at(-1)?.verdict).toBe('fix');
    // the OOM never happens
    stepTo(c, t.impactAt + 5 * S);
    expect(c.view('api-1').conditions).toEqual([]);
    expect(t.impactedAt).toBeUndefined();
  });

  it('failover moves the primary to the backup; callers recover; the old primary is rebuilt as backup', () => {
    const c = cluster();
    stepTo(c, T0 + 10 * S);
    const t = c.inject({ kind: 'crash', at: T0 + 11 * S, target: 'primary:db' });
    expect(metricOf(c.step(T0 + 11 * S), 'api-1', 'error_rate') as number).toBeGreaterThan(99);
    c.apply(action('failover', 'db-1', { group: 'db', destination: 'db-2' }), T0 + 11 * S);
    const p = stepTo(c, T0 + 14 * S);
    expect(c.primaryOf('db')).toBe('db-2');
    expect(metricOf(p, 'api-1', 'error_rate') as number).toBeLessThan(2);
    expect(t.recoveredAt).toBe(T0 + 12 * S);
    expect(c.view('db-1').primary).toBe(false);
    expect(metricOf(stepTo(c, T0 + 30 * S), 'db-1', 'up')).toBe(1);
  });

  it('reallocation relieves cpu saturation and moves the load to the destination', () => {
    const c = cluster();
    stepTo(c, T0 + 10 * S);
    const before = metricOf(c.step(T0 + 11 * S), 'api-2', 'cpu') as number;
    const t = c.inject({ kind: 'cpu_saturation', at: T0 + 12 * S, target: 'api-1', durationMs: 30 * MIN });
    c.step(T0 + 12 * S);
    c.apply(action('reallocate', 'api-1', { destination: 'api-2' }), T0 + 12 * S);
    const p = stepTo(c, T0 + 20 * S);
    expect(metricOf(p, 'api-1', 'cpu') as number).toBeLessThan(90);
    expect(metricOf(p, 'api-2', 'cpu') as number).toBeGreaterThan(before + 3);
    expect(t.recoveredBy).toBe('action');
    expect(c.actions().at(-1)?.verdict).toBe('fix');
  });

  it('a strategy that cannot fix the fault, or an action on a healthy node, is wrong', () => {
    const c = cluster();
    stepTo(c, T0 + 10 * S);
    const t = c.inject({ kind: 'cpu_saturation', at: T0 + 11 * S, target: 'api-1', durationMs: 30 * MIN });
    c.step(T0 + 11 * S);
    c.apply(action('restart', 'api-1'), T0 + 11 * S);
    expect(c.actions().at(-1)?.verdict).toBe('wrong');
    // the restart took the node down but the surge is still there when it comes back
    expect(metricOf(stepTo(c, T0 + 20 * S), 'api-1', 'cpu') as number).toBeGreaterThanOrEqual(97);
    expect(t.recoveredAt).toBeUndefined();
    c.apply(action('restart', 'api-2'), T0 + 20 * S);
    expect(c.actions().at(-1)).toMatchObject({ verdict: 'wrong', reason: 'no active fault on api-2' });
  });

  it('the same strategy twice on the same fault is a duplicate; the same action id is applied once', () => {
    const c = cluster();
    stepTo(c, T0 + 10 * S);
    c.inject({ kind: 'cpu_saturation', at: T0 + 11 * S, target: 'api-1', durationMs: 30 * MIN });
    c.step(T0 + 11 * S);
    c.apply(action('throttle', 'api-1', {}, 'same-id'), T0 + 11 * S);
    expect(c.apply(action('throttle', 'api-1', {}, 'same-id'), T0 + 11 * S).duplicate).toBe(true);
    expect(c.actions()).toHaveLength(1);
    c.apply(action('throttle', 'api-1'), T0 + 11 * S);
    expect(c.actions().map((a) => a.verdict)).toEqual(['fix', 'duplicate']);
  });

  it('failover of a backup is refused; escalation pages an operator who repairs the node later', () => {
    const c = cluster();
    stepTo(c, T0 + 10 * S);
    expect(c.apply(action('failover', 'db-2', { group: 'db', destination: 'db-1' }), T0 + 10 * S).success).toBe(false);
    const t = c.inject({ kind: 'crash', at: T0 + 11 * S, target: 'api-2' });
    c.step(T0 + 11 * S);
    c.apply(action('escalate', 'api-2'), T0 + 11 * S);
    expect(c.actions().at(-1)?.verdict).toBe('page');
    stepTo(c, T0 + 11 * S + c.timings.operatorMs);
    expect(t.recoveredBy).toBe('operator');
    expect(c.view('api-2').down).toBe(false);
  });
});
