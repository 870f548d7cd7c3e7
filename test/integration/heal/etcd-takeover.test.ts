import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCluster } from '../../../infra/etcd/cluster.js';
import type { Action, AnomalyEvent } from '../../../src/contracts/index.js';
import { SCHEMA_VERSION } from '../../../src/contracts/index.js';
import type { EtcdCoordinator } from '../../../src/coord/etcd/coordinator.js';
import {
  createHealEngine,
  type HealConfigInput,
  type HealEngine,
  type HealStep,
  SimActuator,
} from '../../../src/heal/index.js';
import { etcdCoordinator, freshNamespace, startTestEtcd, waitFor } from '../../helpers/etcd.js';

const T0 = Date.UTC(2024, 0, 1);
const S = 1000;
const M = 60_000;

let cluster: EtcdCluster;
const live: EtcdCoordinator[] = [];

beforeAll(async () => {
  cluster = await startTestEtcd();
});
afterAll(async () => {
  await Promise.all(live.map((c) => c.close().catch(() => {})));
  await cluster?.stop();
});

const config: HealConfigInput = {
  correlation: { groupWait: 0 },
  verify: { window: '2m' },
  gates: { cooldown: '0s' },
  groups: [{ name: 'data', members: ['db', 'db-b'], replicated: true, maxUnavailablePercent: 50 }],
  policies: { node_failure: { strategies: ['restart', 'failover', 'escalate'], learn: false } },
};

const down = (ts: number): AnomalyEvent => ({
  v: SCHEMA_VERSION,
  id: `db|up|${ts}`,
  state: 'firing',
  ts,
  source: 'db',
  metric: 'up',
  severity: 'critical',
  score: 1,
  scores: { zscore: 1 },
  value: 0,
  expected: 1,
  lower: 1,
  upper: 1,
  startedAt: ts,
  reason: 'db is down',
  rule: 'critical',
});

function engineOn(coordinator: EtcdCoordinator, system: SimActuator, log: HealStep): HealEngine {
  return createHealEngine({
    config,
    coordinator,
    actuators: { sim: system },
    onRecord: (r) => {
      if (r.kind === 'action') log.actions.push(r.action);
      if (r.kind === 'outcome') log.outcomes.push(r.outcome);
    },
  });
}

describe('heal engines on a real 3-member etcd: only the leader acts, a standby completes the remediation', () => {
  it('the leader restarts; it dies; the standby leads, fails over through an etcd transaction; nothing is done twice', async () => {
    const ns = freshNamespace('heal');
    const coordA = etcdCoordinator(cluster, 'heal-a', { namespace: ns, ttlSeconds: 2 });
    const coordB = etcdCoordinator(cluster, 'heal-b', { namespace: ns, ttlSeconds: 2 });
    live.push(coordA, coordB);
    const system = new SimActuator();
    const logA: HealStep = { faults: [], actions: [], outcomes: [] };
    const logB: HealStep = { faults: [], actions: [], outcomes: [] };
    const a = engineOn(coordA, system, logA);
    const b = engineOn(coordB, system, logB);

    await coordA.campaign();
    const tokenA = await coordA.whenLeader(15_000);
    await coordB.campaign();

    await a.onAnomaly(down(T0));
    await b.onAnomaly(down(T0));
    const executedA = logA.actions.filter((x) => x.decision === 'executed');
    expect(executedA.map((x) => [x.strategy, x.fencingToken])).toEqual([['restart', tokenA]]);
    expect(logB.actions).toEqual([]);
    for (const rec of logA.actions) await b.observeAction(rec);

    // the leader goes away mid-incident (its restart is still being verified)
    await coordA.close();
    const tokenB = await waitFor('the standby to lead', () => (coordB.isLeader() ? coordB.token() : undefined), 15_000);
    expect(tokenB).toBeGreaterThan(tokenA);

    await b.tick(T0 + 30 * S);
    expect(logB.actions.filter((x) => x.decision === 'executed')).toEqual([]);
    // the restart did not bring db back within the window: the standby-turned-leader climbs the ladder
    await b.tick(T0 + 2 * M + S);
    const executedB = logB.actions.filter((x) => x.decision === 'executed');
    expect(executedB.map((x) => [x.strategy, x.fencingToken, x.attempt])).toEqual([['failover', tokenB, 2]]);
    expect(executedB[0]?.reasons.join('\n')).toMatch(/registry: db-b promoted primary of data/);
    const entry = await coordB.primary('data');
    expect(entry).toMatchObject({ primary: 'db-b', token: tokenB, by: 'heal-b' });

    // the managed system saw each action once, and refuses the old leadership's token
    expect(system.applied().map((x) => x.strategy)).toEqual(['restart', 'failover']);
    expect(system.duplicateDeliveries()).toBe(0);
    await expect(system.execute({ ...(executedA[0] as Action), id: 'late', fencingToken: tokenA })).rejects.toThrow(
      /stale/,
    );
    // a deposed leader cannot write the registry either
    await expect(coordA.promote('data', 'db', tokenA)).rejects.toThrow();
  });
});
