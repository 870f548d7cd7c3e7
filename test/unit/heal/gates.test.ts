import { describe, expect, it } from 'vitest';
import type { Action, Fault } from '../../../src/contracts/index.js';
import { SCHEMA_VERSION } from '../../../src/contracts/index.js';
import {
  ActionLedger,
  allow,
  approvalGate,
  blastRadiusGate,
  composeGates,
  concurrencyGate,
  cooldownGate,
  deny,
  dryRunGate,
  type Gate,
  type GateContext,
  leadershipGate,
  parseHealConfig,
  rateLimitGate,
  SilenceStore,
  silenceGate,
} from '../../../src/heal/index.js';
import { leader, M, S, T0, TestCoordinator } from './helpers.js';

const action = (target: string, strategy: Action['strategy'] = 'restart'): Action => ({
  v: SCHEMA_VERSION,
  id: `act-${target}-${strategy}`,
  faultId: 'flt-1',
  strategy,
  target,
  params: {},
  fencingToken: 7,
  mode: 'automatic',
  decision: 'proposed',
  reasons: [],
  dryRun: false,
  ts: T0,
  attempt: 1,
  engine: 'e',
});
const fault = { id: 'flt-1' } as Fault;
const groups = parseHealConfig({
  groups: [{ name: 'web', members: ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'], maxUnavailablePercent: 34 }],
}).groups;
const groupOf = (t: string) => (t.startsWith('w') ? 'web' : undefined);
const ctx = (a: Action, extra: Partial<GateContext> = {}): GateContext => ({
  action: a,
  fault,
  plan: [a],
  groupOf,
  approved: false,
  mode: 'automatic',
  now: T0,
  ...extra,
});

describe('composeGates', () => {
  const yes = (n: string): Gate => ({ name: n, check: () => allow(`${n} ok`) });
  const no = (n: string): Gate => ({ name: n, check: () => deny(n, `${n} says no`, 'skipped', { retryAt: 5 }) });

  it('keeps the reasons of every gate that allowed; the first denial wins and stops the chain', () => {
    let called = false;
    const spy: Gate = {
      name: 'spy',
      check: () => {
        called = true;
        return allow('spy');
      },
    };
    const v = composeGates(yes('a'), yes('b'), no('c'), spy).check(ctx(action('x')));
    expect(v).toEqual({
      allow: false,
      gate: 'c',
      reasons: ['a ok', 'b ok', 'c says no'],
      decision: 'skipped',
      retryAt: 5,
    });
    expect(called).toBe(false);
    expect(composeGates(yes('a'), yes('b')).check(ctx(action('x')))).toEqual({
      allow: true,
      reasons: ['a ok', 'b ok'],
    });
  });

  it('compositions nest (a composed gate is a gate)', () => {
    const inner = composeGates(yes('a'), no('b'));
    const v = composeGates(yes('z'), inner).check(ctx(action('x')));
    expect(v.allow).toBe(false);
    expect(v.reasons).toEqual(['z ok', 'a ok', 'b says no']);
    expect(composeGates().check(ctx(action('x'))).allow).toBe(true);
  });
});

describe('limit gates', () => {
  it('cooldown: no second action on a target within the cooldown', () => {
    const l = new ActionLedger();
    const g = cooldownGate(l, M);
    expect(g.check(ctx(action('a'))).allow).toBe(true);
    l.begin({ id: '1', target: 'a', group: undefined }, T0);
    const v = g.check(ctx(action('a'), { now: T0 + 30 * S }));
    expect(v).toMatchObject({ allow: false, decision: 'skipped', retryAt: T0 + M });
    expect(g.check(ctx(action('b'), { now: T0 + 30 * S })).allow).toBe(true);
    expect(g.check(ctx(action('a'), { now: T0 + M })).allow).toBe(true);
    expect(g.check(ctx(action('a', 'escalate'), { now: T0 + S })).allow).toBe(true);
  });

  it('concurrency: at most N in flight; finishing frees a slot; an oversized plan is rejected', () => {
    const l = new ActionLedger();
    const g = concurrencyGate(l, 2, 10 * S);
    l.begin({ id: '1', target: 'a', group: undefined }, T0);
    l.begin({ id: '2', target: 'b', group: undefined }, T0);
    expect(g.check(ctx(action('c')))).toMatchObject({ allow: false, decision: 'skipped', retryAt: T0 + 10 * S });
    l.finish('1', T0 + S);
    expect(g.check(ctx(action('c'))).allow).toBe(true);
    const big = [action('x'), action('y'), action('z')];
    expect(g.check(ctx(big[0] as Action, { plan: big }))).toMatchObject({ allow: false, decision: 'rejected' });
  });

  it('rate limit: at most N started per period (sliding window)', () => {
    const l = new ActionLedger();
    const g = rateLimitGate(l, 3, M);
    for (let i = 0; i < 3; i++) {
      l.begin({ id: `${i}`, target: `t${i}`, group: undefined }, T0 + i * S);
      l.finish(`${i}`, T0 + i * S);
    }
    expect(g.check(ctx(action('n'), { now: T0 + 10 * S }))).toMatchObject({ allow: false, retryAt: T0 + M });
    expect(g.check(ctx(action('n'), { now: T0 + M + 1 })).allow).toBe(true);
  });

  it('blast radius: never more than X % of a group at once (at least one)', () => {
    const l = new ActionLedger();
    const g = blastRadiusGate(l, groups, 10, 10 * S);
    // 6 members × 34 % → 2 at once
    l.begin({ id: '1', target: 'w1', group: 'web' }, T0);
    expect(g.check(ctx(action('w2'))).allow).toBe(true);
    l.begin({ id: '2', target: 'w2', group: 'web' }, T0);
    expect(g.check(ctx(action('w3')))).toMatchObject({ allow: false, decision: 'skipped' });
    expect(g.check(ctx(action('w1'))).allow).toBe(true);
    const all = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'].map((t) => action(t));
    expect(g.check(ctx(all[0] as Action, { plan: all }))).toMatchObject({ allow: false, decision: 'rejected' });
    expect(g.check(ctx(action('db'))).allow).toBe(true);
  });
});

describe('mode gates', () => {
  it('silences mute actions on matching targets or groups until they end', () => {
    const store = new SilenceStore();
    store.add({ targets: ['db-*'], groups: [], from: T0, to: T0 + M, mute: 'actions', reason: 'upgrade' });
    store.add({ targets: [], groups: ['web'], from: T0, to: T0 + 2 * M, mute: 'both', reason: 'deploy' });
    store.add({ targets: ['api'], groups: [], from: T0, to: T0 + M, mute: 'alarms', reason: 'noisy' });
    const g = silenceGate(store);
    expect(g.check(ctx(action('db-1')))).toMatchObject({ allow: false, decision: 'skipped', retryAt: T0 + M });
    expect(g.check(ctx(action('w3')))).toMatchObject({ allow: false, retryAt: T0 + 2 * M });
    expect(g.check(ctx(action('api'))).allow).toBe(true);
    expect(g.check(ctx(action('db-1'), { now: T0 + M })).allow).toBe(true);
    expect(g.check(ctx(action('db-1'), { now: T0 - 1 })).allow).toBe(true);
  });

  it('approval: automatic passes, semi-automatic holds until approved, manual only recommends, escalate always passes', () => {
    const g = approvalGate(10 * M);
    expect(g.check(ctx(action('a'))).allow).toBe(true);
    expect(g.check(ctx(action('a'), { mode: 'semi-automatic' }))).toMatchObject({
      allow: false,
      decision: 'proposed',
      hold: 'approval',
    });
    expect(g.check(ctx(action('a'), { mode: 'semi-automatic', approved: true })).allow).toBe(true);
    expect(g.check(ctx(action('a'), { mode: 'manual' }))).toMatchObject({
      allow: false,
      decision: 'proposed',
      hold: 'recommend',
    });
    expect(g.check(ctx(action('a', 'escalate'), { mode: 'manual' })).allow).toBe(true);
  });

  it('dry-run: recorded, never executed', () => {
    expect(dryRunGate(true).check(ctx(action('a')))).toMatchObject({
      allow: false,
      decision: 'skipped',
      hold: 'recommend',
    });
    expect(dryRunGate(false).check(ctx(action('a'))).allow).toBe(true);
  });

  it('leadership: only the leader acts; safe mode says so', async () => {
    const c = await leader();
    const g = leadershipGate(c, 10 * S);
    expect(g.check(ctx(action('a'))).allow).toBe(true);
    c.safe = true;
    const v = g.check(ctx(action('a')));
    expect(v).toMatchObject({ allow: false, decision: 'skipped', retryAt: T0 + 10 * S });
    expect(v.reasons[0]).toMatch(/safe mode: etcd quorum lost/);
    const standby = new TestCoordinator('b');
    expect(leadershipGate(standby, S).check(ctx(action('a'))).reasons[0]).toMatch(/not the leader/);
  });
});
