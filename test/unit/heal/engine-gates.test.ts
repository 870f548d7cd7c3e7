import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/contracts/index.js';
import { ApprovalNotFoundError, type HealConfigInput } from '../../../src/heal/index.js';
import { harness } from './engine-harness.js';
import { anomaly, M, S, scores, T0 } from './helpers.js';

describe('heal engine: a burst of 100 simultaneous faults', () => {
  it('blast-radius, concurrency and rate limits hold, every fault is handled once, and all recover', async () => {
    const members = (g: number) => Array.from({ length: 10 }, (_, i) => `s${g}${i}`);
    const groupOf = (t: string) => `g${t[1]}`;
    const h = await harness({
      correlation: { groupWait: 0 },
      groups: Array.from({ length: 10 }, (_, g) => ({ name: `g${g}`, members: members(g), maxUnavailablePercent: 20 })),
      gates: { maxConcurrent: 5, rateMax: 8, ratePer: '1m', cooldown: '1m', retryEvery: '10s' },
      verify: { window: '5m', healthyFor: '20s' },
      policies: { performance_degradation: { strategies: ['restart'], learn: false } },
    });
    const targets = Array.from({ length: 10 }, (_, g) => members(g)).flat();
    expect(targets).toHaveLength(100);

    const outcomeOf = new Map<string, number>();
    const check = () => {
      const exec = h.executed();
      for (const o of h.log.outcomes) if (!outcomeOf.has(o.actionId)) outcomeOf.set(o.actionId, o.verifiedAt);
      const inFlight = exec.filter((a) => !outcomeOf.has(a.id));
      expect(inFlight.length).toBeLessThanOrEqual(5);
      const perGroup = new Map<string, number>();
      for (const a of inFlight) perGroup.set(groupOf(a.target), (perGroup.get(groupOf(a.target)) ?? 0) + 1);
      for (const n of perGroup.values()) expect(n).toBeLessThanOrEqual(2);
      for (const e of exec) {
        const inWindow = exec.filter((x) => x.ts > e.ts - M && x.ts <= e.ts).length;
        expect(inWindow).toBeLessThanOrEqual(8);
      }
      expect(new Set(exec.map((a) => a.id)).size).toBe(exec.length);
      expect(new Set(exec.map((a) => a.target)).size).toBe(exec.length);
    };

    for (const t of targets) {
      await h.engine.onAnomaly(anomaly({ source: t, metric: 'latency_ms', ts: T0 }));
      check();
    }
    expect(h.executed()).toHaveLength(5);

    for (let t = T0 + 10 * S; t <= T0 + 40 * M && outcomeOf.size < 100; t += 10 * S) {
      await h.engine.tick(t);
      check();
      for (const a of h.executed()) {
        if (!outcomeOf.has(a.id) && a.ts <= t - 10 * S)
          await h.engine.onScores(scores(a.target, 'latency_ms', [t], 0.02));
      }
      check();
    }
    expect(h.executed()).toHaveLength(100);
    expect(h.log.outcomes.filter((o) => o.success)).toHaveLength(100);
    expect(h.engine.cases({ open: true })).toEqual([]);
    // deferrals are audited once per gate and attempt, not once per retry
    const skipped = h.log.actions.filter((a) => a.decision === 'skipped');
    const perFaultGate = new Set(skipped.map((a) => `${a.id}|${(a.reasons.at(-1) ?? '').split(':')[0]}`));
    expect(perFaultGate.size).toBe(skipped.length);
    const reasons = skipped.map((a) => a.reasons.at(-1) ?? '');
    expect(reasons.some((r) => r.startsWith('concurrency:'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('blast radius:') || r.startsWith('rate limit:'))).toBe(true);
    expect(h.sim.applied()).toHaveLength(100);
  });
});

const failoverConfig = (
  mode: 'semi-automatic' | 'manual' | 'automatic',
  extra: Partial<HealConfigInput> = {},
): HealConfigInput => ({
  correlation: { groupWait: 0 },
  groups: [{ name: 'data', members: ['db', 'db-b'], replicated: true, maxUnavailablePercent: 50 }],
  policies: { node_failure: { strategies: ['failover', 'escalate'], learn: false } },
  approval: { strategies: { failover: mode }, timeout: '10m' },
  ...extra,
});
const down = (ts = T0) => anomaly({ source: 'db', metric: 'up', ts, severity: 'critical' });

describe('heal engine: approval modes', () => {
  it('semi-automatic without approval: waits, then times out, is rejected and escalates', async () => {
    const h = await harness(failoverConfig('semi-automatic'));
    const s = await h.engine.onAnomaly(down());
    expect(s.actions).toHaveLength(1);
    expect(s.actions[0]).toMatchObject({ strategy: 'failover', decision: 'proposed', mode: 'semi-automatic' });
    expect(s.actions[0]?.reasons.at(-1)).toMatch(/awaiting approval until/);
    expect(h.engine.pendingApprovals()).toHaveLength(1);
    await h.engine.tick(T0 + 10 * M - 1);
    expect(h.executed()).toEqual([]);
    expect(await h.coordinator.primary('data')).toBeUndefined();
    const t = await h.engine.tick(T0 + 10 * M);
    expect(t.actions.map((a) => [a.strategy, a.decision])).toEqual([
      ['failover', 'rejected'],
      ['escalate', 'executed'],
    ]);
    expect(t.actions[0]?.reasons.at(-1)).toMatch(/approval timed out after 600s: escalating/);
    expect(t.actions[1]?.mode).toBe('automatic');
    expect(h.engine.pendingApprovals()).toEqual([]);
    expect(h.engine.cases()[0]?.status).toBe('escalated');
    expect(h.sim.applied().map((a) => a.strategy)).toEqual(['escalate']);
  });

  it('semi-automatic approved: approved, then executed through the gates, promoting the backup', async () => {
    const h = await harness(failoverConfig('semi-automatic'));
    const s = await h.engine.onAnomaly(down());
    const id = (s.actions[0] as Action).id;
    const a = await h.engine.approve(id, { by: 'alice', now: T0 + M });
    expect(a.actions.map((x) => x.decision)).toEqual(['approved', 'executed']);
    expect(a.actions.every((x) => x.id === id)).toBe(true);
    expect(a.actions[1]?.reasons.join('\n')).toMatch(/approved by alice/);
    expect(a.actions[1]?.reasons.join('\n')).toMatch(/approval: approved by an operator/);
    expect((await h.coordinator.primary('data'))?.primary).toBe('db-b');
    await expect(h.engine.approve(id, { by: 'bob' })).rejects.toBeInstanceOf(ApprovalNotFoundError);
    await h.engine.tick(T0 + 20 * M);
    expect(h.sim.applied().map((x) => x.strategy)).toEqual(['failover', 'escalate']);
  });

  it('semi-automatic rejected by an operator: the next rung', async () => {
    const h = await harness(failoverConfig('semi-automatic'));
    const s = await h.engine.onAnomaly(down());
    const r = await h.engine.reject((s.actions[0] as Action).id, { by: 'carol', reason: 'not now', now: T0 + S });
    expect(r.actions.map((x) => [x.strategy, x.decision])).toEqual([
      ['failover', 'rejected'],
      ['escalate', 'executed'],
    ]);
    expect(r.actions[0]?.reasons.at(-1)).toBe('rejected by carol: not now');
  });

  it('manual: a recommendation only, nothing executed', async () => {
    const h = await harness(failoverConfig('manual'));
    const s = await h.engine.onAnomaly(down());
    expect(s.actions[0]).toMatchObject({ strategy: 'failover', decision: 'proposed', mode: 'manual' });
    expect(s.actions[0]?.reasons.at(-1)).toMatch(/manual mode: recommendation only/);
    await h.engine.tick(T0 + 30 * M);
    expect(h.sim.applied()).toEqual([]);
    expect(h.engine.cases()[0]?.status).toBe('recommended');
  });

  it('dry-run: every check recorded, nothing executed', async () => {
    const h = await harness(failoverConfig('automatic', { dryRun: true }));
    const s = await h.engine.onAnomaly(down());
    expect(s.actions[0]).toMatchObject({ decision: 'skipped', dryRun: true });
    expect(s.actions[0]?.reasons.join('\n')).toMatch(/concurrency: 0 \+ 1 in flight/);
    expect(s.actions[0]?.reasons.at(-1)).toBe('dry-run: would execute; not executed');
    await h.engine.tick(T0 + 30 * M);
    expect(h.sim.applied()).toEqual([]);
    expect(await h.coordinator.primary('data')).toBeUndefined();
  });
});

describe('heal engine: silences and maintenance windows', () => {
  it('muted actions: skipped (recorded once) until the window ends, then acted on', async () => {
    const h = await harness(
      failoverConfig('automatic', {
        silences: [{ targets: ['db*'], from: T0 - M, to: T0 + 5 * M, mute: 'actions', reason: 'upgrade' }],
      }),
    );
    const s = await h.engine.onAnomaly(down());
    expect(s.faults).toHaveLength(1);
    expect(s.actions[0]).toMatchObject({ decision: 'skipped' });
    expect(s.actions[0]?.reasons.at(-1)).toMatch(/silenced: db muted by .* \(upgrade\)/);
    await h.engine.tick(T0 + 2 * M);
    await h.engine.tick(T0 + 4 * M);
    expect(h.log.actions).toHaveLength(1);
    await h.engine.tick(T0 + 5 * M);
    expect(h.executed().map((a) => a.strategy)).toEqual(['failover']);
  });

  it('muted alarms: no fault at all; a runtime silence on a group can be added and removed', async () => {
    const h = await harness(failoverConfig('automatic'));
    const sil = h.engine.addSilence({
      targets: [],
      groups: ['data'],
      from: T0,
      to: T0 + M,
      mute: 'alarms',
      reason: 'noisy',
    });
    const s = await h.engine.onAnomaly(down());
    expect(s).toEqual({ faults: [], actions: [], outcomes: [] });
    expect(h.engine.silences().map((x) => x.id)).toEqual([sil.id]);
    expect(h.engine.removeSilence(sil.id)).toBe(true);
    const s2 = await h.engine.onAnomaly(down(T0 + S));
    expect(s2.faults).toHaveLength(1);
    expect(s2.actions[0]?.decision).toBe('executed');
  });
});
