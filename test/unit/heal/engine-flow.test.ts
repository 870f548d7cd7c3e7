import { describe, expect, it } from 'vitest';
import { Action, Fault, Outcome } from '../../../src/contracts/index.js';
import { type HealConfigInput, HealInputError, SimActuator } from '../../../src/heal/index.js';
import { harness } from './engine-harness.js';
import { anomaly, M, S, scores, T0, TestCoordinator } from './helpers.js';

const services = {
  db: { dependsOn: [] },
  'db-replica': { dependsOn: [] },
  'api-1': { dependsOn: ['db'] },
  'api-2': { dependsOn: ['db'] },
  'api-3': { dependsOn: ['db'] },
  'web-1': { dependsOn: ['api-1'] },
  'web-2': { dependsOn: ['api-2'] },
};
const SYMPTOMS = ['api-1', 'api-2', 'api-3', 'web-1', 'web-2'];
const base: HealConfigInput = {
  services,
  groups: [{ name: 'data', members: ['db', 'db-replica'], replicated: true, maxUnavailablePercent: 50 }],
  correlation: { window: '2m', groupWait: '15s' },
  verify: { window: '2m', healthyFor: '20s' },
  policies: { resource_exhaustion: { strategies: ['restart', 'reallocate', 'failover', 'escalate'], learn: false } },
};

async function dbIncident(h: Awaited<ReturnType<typeof harness>>) {
  for (const [i, s] of SYMPTOMS.entries())
    await h.engine.onAnomaly(anomaly({ source: s, metric: 'latency_ms', ts: T0 + i * S }));
  await h.engine.onAnomaly(anomaly({ source: 'db', metric: 'mem_used', ts: T0 + 5 * S, severity: 'critical' }));
}

describe('heal engine: one incident, acted on once, at the root', () => {
  it('a failing database behind five alarming services → one restart of the database after the group wait', async () => {
    const h = await harness(base);
    await dbIncident(h);
    expect(h.executed()).toEqual([]);
    await h.engine.tick(T0 + 14 * S);
    expect(h.executed()).toEqual([]);
    const step = await h.engine.tick(T0 + 15 * S);
    const [a] = step.actions;
    expect(step.actions).toHaveLength(1);
    expect(Action.parse(a)).toMatchObject({
      strategy: 'restart',
      target: 'db',
      decision: 'executed',
      fencingToken: 100,
      attempt: 1,
      engine: 'engine-a',
      actuator: 'sim',
    });
    expect(a?.reasons.join('\n')).toMatch(
      /resource_exhaustion at db \(critical, P1, symptoms api-1, web-1, api-2, web-2, api-3\)/,
    );
    expect(a?.reasons.join('\n')).toMatch(/concurrency: 0 \+ 1 in flight ≤ 5/);
    expect(h.sim.applied().map((x) => x.target)).toEqual(['db']);
    const open = h.engine.cases({ open: true });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: 'verifying', strategy: 'restart' });
    const f = Fault.parse(h.log.faults.at(-1));
    expect(f).toMatchObject({ root: 'db', type: 'resource_exhaustion', severity: 'critical' });
    expect([...f.symptoms].sort()).toEqual(SYMPTOMS);
    // more alarms on the same incident do not trigger another action
    await h.engine.onAnomaly(anomaly({ source: 'api-3', metric: 'error_rate', ts: T0 + 20 * S }));
    await h.engine.tick(T0 + 30 * S);
    expect(h.sim.applied()).toHaveLength(1);
  });

  it('verification: the metrics back to normal → a success outcome, the case recovered, the learner updated', async () => {
    const h = await harness(base);
    await dbIncident(h);
    await h.engine.tick(T0 + 15 * S);
    const step = await h.engine.onScores(scores('db', 'mem_used', [T0 + 20 * S, T0 + 30 * S, T0 + 40 * S], 0.05));
    expect(step.outcomes).toHaveLength(1);
    const o = Outcome.parse(step.outcomes[0]);
    expect(o).toMatchObject({
      target: 'db',
      strategy: 'restart',
      success: true,
      timeToRecoverMs: 5 * S,
      faultType: 'resource_exhaustion',
    });
    expect(h.engine.cases({ open: true })).toEqual([]);
    expect(h.engine.learner().stats('resource_exhaustion', 'restart').successes).toBe(1);
  });

  it('a fix that does not work climbs the ladder: restart → reallocate → failover (registry) → page', async () => {
    const h = await harness({ ...base, gates: { cooldown: '0s' } });
    await dbIncident(h);
    let t = T0 + 15 * S;
    await h.engine.tick(t);
    const strategies = () => h.executed().map((a) => a.strategy);
    expect(strategies()).toEqual(['restart']);
    t += 2 * M + S;
    await h.engine.tick(t);
    expect(h.log.outcomes.at(-1)).toMatchObject({ strategy: 'restart', success: false });
    expect(strategies()).toEqual(['restart', 'reallocate']);
    expect(h.executed().at(-1)?.params).toMatchObject({ destination: 'db-replica', group: 'data' });
    t += 2 * M + S;
    await h.engine.tick(t);
    expect(strategies()).toEqual(['restart', 'reallocate', 'failover']);
    const failover = h.executed().at(-1);
    expect(failover?.reasons.join('\n')).toMatch(
      /registry: db-replica promoted primary of data \(was unset\), token 100/,
    );
    expect(failover?.params['redundancy']).toBeDefined();
    expect((await h.coordinator.primary('data'))?.primary).toBe('db-replica');
    t += 2 * M + S;
    await h.engine.tick(t);
    expect(strategies()).toEqual(['restart', 'reallocate', 'failover', 'escalate']);
    expect(h.engine.cases({ open: true })[0]?.status).toBe('escalated');
    expect(h.executed().map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(new Set(h.executed().map((a) => a.id)).size).toBe(4);
    await h.engine.tick(t + 10 * M);
    expect(h.executed()).toHaveLength(4);
  });

  it('restart intensity and back-off across recurring faults on one target (data time)', async () => {
    const h = await harness({
      correlation: { groupWait: 0 },
      gates: { cooldown: '0s' },
      verify: { healthyFor: '0s' },
      ladder: { maxRestarts: 3, period: '10m', backoffInitial: '10s' },
      groups: [{ name: 'g', members: ['svc', 'peer'], maxUnavailablePercent: 50 }],
      policies: { performance_degradation: { strategies: ['restart', 'reallocate', 'escalate'], learn: false } },
    });
    const restartsAt: number[] = [];
    let t = T0;
    for (let i = 0; i < 4; i++) {
      await h.engine.onAnomaly(anomaly({ source: 'svc', metric: 'latency_ms', ts: t }));
      await h.engine.tick(t + 60 * S);
      const last = h.executed().at(-1);
      if (last?.strategy === 'restart' && !restartsAt.includes(last.ts)) restartsAt.push(last.ts);
      // recovers quickly
      await h.engine.onScores(scores('svc', 'latency_ms', [t + 61 * S], 0.01));
      t += 62 * S;
    }
    const gaps = restartsAt.slice(1).map((x, i) => x - (restartsAt[i] as number));
    expect(restartsAt).toHaveLength(3);
    expect(gaps.every((g) => g >= 10 * S)).toBe(true);
    const lastExec = h.executed().at(-1);
    expect(lastExec?.strategy).toBe('reallocate');
    expect(lastExec?.reasons.join('\n')).toMatch(/restart intensity: 3 restarts within 600s/);
  });

  it('back-off: a restart due before the back-off ends waits for it, recorded once', async () => {
    const h = await harness({
      correlation: { groupWait: 0 },
      gates: { cooldown: '0s' },
      verify: { healthyFor: '0s' },
      ladder: { backoffInitial: '10s' },
      policies: { performance_degradation: { strategies: ['restart'], learn: false } },
    });
    await h.engine.onAnomaly(anomaly({ source: 'svc', metric: 'latency_ms', ts: T0 }));
    await h.engine.onScores(scores('svc', 'latency_ms', [T0 + S], 0.01));
    await h.engine.onAnomaly(anomaly({ source: 'svc', metric: 'latency_ms', ts: T0 + 2 * S }));
    await h.engine.tick(T0 + 5 * S);
    await h.engine.tick(T0 + 9 * S);
    const skipped = h.log.actions.filter((a) => a.decision === 'skipped');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.reasons.join('\n')).toMatch(/back-off: restart 2 not before/);
    expect(h.executed()).toHaveLength(1);
    await h.engine.tick(T0 + 10 * S);
    expect(h.executed().map((a) => a.ts - T0)).toEqual([0, 10 * S]);
  });

  it('all-for-one group: one decision restarts every member, dependencies first', async () => {
    const h = await harness({
      correlation: { groupWait: 0 },
      services: { store: { dependsOn: [] }, cacheA: { dependsOn: ['store'] }, cacheB: { dependsOn: ['store'] } },
      groups: [
        {
          name: 'tight',
          members: ['cacheA', 'cacheB', 'store'],
          supervision: 'all_for_one',
          maxUnavailablePercent: 100,
        },
      ],
      policies: { performance_degradation: { strategies: ['restart'], learn: false } },
    });
    await h.engine.onAnomaly(anomaly({ source: 'cacheB', metric: 'latency_ms', ts: T0 }));
    expect(h.executed().map((a) => a.target)).toEqual(['store', 'cacheA', 'cacheB']);
    expect(h.executed().map((a) => a.params)).toEqual([{ companionOf: 'cacheB' }, { companionOf: 'cacheB' }, {}]);
    // the verdict on the target covers the plan: every action gets an outcome
    const step = await h.engine.onScores(scores('cacheB', 'latency_ms', [T0 + S, T0 + 40 * S], 0.01));
    expect(step.outcomes.map((o) => o.target)).toEqual(['store', 'cacheA', 'cacheB']);
  });

  it('a root that recovers during the group wait is closed without action', async () => {
    const h = await harness(base);
    await h.engine.onAnomaly(anomaly({ source: 'db', metric: 'mem_used', ts: T0 }));
    await h.engine.onAnomaly(anomaly({ source: 'db', metric: 'mem_used', ts: T0 + 5 * S, state: 'resolved' }));
    await h.engine.tick(T0 + M);
    expect(h.log.actions).toEqual([]);
    expect(h.engine.cases()[0]).toMatchObject({ status: 'closed' });
  });

  it('invalid input is a HealInputError naming the field; the engine keeps working', async () => {
    const h = await harness(base);
    await expect(h.engine.onAnomaly({ ...anomaly({ source: 'db', metric: 'm', ts: T0 }), score: 7 })).rejects.toThrow(
      HealInputError,
    );
    await expect(h.engine.onAnomaly({ nope: 1 })).rejects.toThrow(/anomaly\.v/);
    await h.engine.onAnomaly(anomaly({ source: 'db', metric: 'mem', ts: T0 }));
    expect(h.engine.cases()).toHaveLength(1);
  });
});

describe('heal engine: leadership, safe mode and takeover', () => {
  it('safe mode: no action, the reason recorded once; detection and correlation go on; acts once it clears', async () => {
    const h = await harness({ ...base, correlation: { groupWait: 0 } });
    h.coordinator.safe = true;
    const s1 = await h.engine.onAnomaly(anomaly({ source: 'db', metric: 'mem_used', ts: T0 }));
    expect(s1.faults).toHaveLength(1);
    expect(s1.actions).toHaveLength(1);
    expect(s1.actions[0]).toMatchObject({ decision: 'skipped', fencingToken: null });
    expect(s1.actions[0]?.reasons.join('\n')).toMatch(/safe mode: etcd quorum lost/);
    expect(h.engine.status()).toMatchObject({
      leader: false,
      safeMode: true,
      reason: 'etcd quorum lost',
      openCases: 1,
      inFlight: 0,
    });
    await h.engine.onAnomaly(anomaly({ source: 'api-1', metric: 'latency_ms', ts: T0 + S }));
    await h.engine.tick(T0 + M);
    expect(h.log.actions).toHaveLength(1);
    expect(h.sim.applied()).toEqual([]);
    h.coordinator.safe = false;
    await h.engine.tick(T0 + 2 * M);
    expect(h.executed()).toHaveLength(1);
    expect(h.executed()[0]).toMatchObject({ target: 'db', fencingToken: 100 });
  });

  it('a standby records nothing and acts only once it leads', async () => {
    const standby = new TestCoordinator('engine-b', 200);
    const h = await harness({ ...base, correlation: { groupWait: 0 } }, { coordinator: standby });
    await h.engine.onAnomaly(anomaly({ source: 'db', metric: 'mem_used', ts: T0 }));
    await h.engine.tick(T0 + M);
    expect(h.log.actions).toEqual([]);
    await standby.campaign();
    await h.engine.tick(T0 + M + S);
    expect(h.executed()).toHaveLength(1);
    expect(h.executed()[0]?.fencingToken).toBe(200);
  });

  it('takeover mid-incident: the new leader does not repeat what the old one did; the old token is refused', async () => {
    const system = new SimActuator();
    const a = await harness({ ...base, correlation: { groupWait: 0 } }, { sim: system, id: 'engine-a', token: 100 });
    const standby = new TestCoordinator('engine-b', 200);
    const b = await harness({ ...base, correlation: { groupWait: 0 } }, { sim: system, coordinator: standby });
    const ev = anomaly({ source: 'db', metric: 'mem_used', ts: T0 });
    await a.engine.onAnomaly(ev);
    await b.engine.onAnomaly(ev);
    expect(a.executed()).toHaveLength(1);
    expect(b.log.actions).toEqual([]);
    // b reads a's audit records from faultline.actions
    for (const rec of a.log.actions) await b.engine.observeAction(rec);
    // a dies; b leads
    await a.coordinator.close();
    await standby.campaign();
    await b.engine.tick(T0 + 30 * S);
    expect(b.executed()).toEqual([]);
    expect(system.applied()).toHaveLength(1);
    // the remediation completes under b: the restart did not help → b climbs the ladder with its token
    await b.engine.tick(T0 + 2 * M + S);
    expect(b.executed()).toHaveLength(1);
    expect(b.executed()[0]).toMatchObject({ strategy: 'reallocate', fencingToken: 200, attempt: 2 });
    // the deposed engine's token is refused by the managed system
    await expect(system.execute({ ...(a.executed()[0] as Action), id: 'act-late', fencingToken: 100 })).rejects.toThrow(
      /stale/,
    );
  });

  it('takeover without the audit record: the same action id, so the managed system applies it once', async () => {
    const system = new SimActuator();
    const a = await harness({ ...base, correlation: { groupWait: 0 } }, { sim: system, token: 100 });
    const standby = new TestCoordinator('engine-b', 200);
    const b = await harness({ ...base, correlation: { groupWait: 0 } }, { sim: system, coordinator: standby });
    const ev = anomaly({ source: 'db', metric: 'mem_used', ts: T0 });
    await a.engine.onAnomaly(ev);
    await b.engine.onAnomaly(ev);
    await a.coordinator.close();
    await standby.campaign();
    await b.engine.tick(T0 + S);
    expect(b.executed()[0]?.id).toBe(a.executed()[0]?.id);
    expect(b.executed()[0]?.reasons.join('\n')).toMatch(/already applied: idempotent replay/);
    expect(system.applied()).toHaveLength(1);
    expect(system.duplicateDeliveries()).toBe(1);
  });
});
