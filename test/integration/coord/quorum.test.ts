import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCluster } from '../../../infra/etcd/cluster.js';
import type { EtcdCoordinator } from '../../../src/coord/etcd/coordinator.js';
import { CoordUnavailableError, NotLeaderError, StaleTokenError } from '../../../src/coord/index.js';
import type { LeadershipEvent } from '../../../src/coord/types.js';
import { etcdCoordinator, freshNamespace, startTestEtcd, waitFor } from '../../helpers/etcd.js';

const TTL = 3;
// Quorum loss is noticed after the raft leader's check-quorum (election timeout, 1 s) plus the coordinator's
// safeModeAfterMs (2 s) plus a probe period; the bound leaves room for a loaded machine.
const SAFE_MODE_BOUND_MS = 20_000;

let cluster: EtcdCluster;
let live: EtcdCoordinator[] = [];

beforeAll(async () => {
  cluster = await startTestEtcd();
});
afterAll(async () => {
  await cluster?.stop();
});
afterEach(async () => {
  await Promise.all(live.map((c) => c.close().catch(() => {})));
  live = [];
});

describe.skipIf(process.env['ETCD_ENDPOINTS'])('etcd coordinator when etcd loses quorum', () => {
  it('2 of 3 members killed: safe mode and no leader; quorum restored: one leader again with a larger token', async () => {
    const ns = freshNamespace('quorum');
    const cs = ['e1', 'e2', 'e3'].map((id) => etcdCoordinator(cluster, id, { namespace: ns, ttlSeconds: TTL }));
    live.push(...cs);
    const events: LeadershipEvent[] = [];
    await Promise.all(cs.map((c) => c.campaign()));
    const leader = await waitFor('a leader', () => cs.find((c) => c.isLeader()), 15_000);
    leader.onLeadershipChange((e) => events.push(e));
    const token = leader.token()!;

    const raft = await waitFor('the raft leader', () => cluster.raftLeader(), 10_000);
    const victims = [raft, cluster.members.find((m) => m !== raft)!];
    const killedAt = Date.now();
    await Promise.all(victims.map((m) => m.kill('SIGKILL')));

    await waitFor('every coordinator in safe mode', () => cs.every((c) => c.status().safeMode), SAFE_MODE_BOUND_MS);
    process.stderr.write(`[coord] quorum lost -> all coordinators in safe mode after ${Date.now() - killedAt} ms\n`);
    for (const c of cs) {
      const s = c.status();
      expect(s).toMatchObject({ leader: false, token: undefined, safeMode: true });
      expect(s.reason).toMatch(/^safe mode: /);
    }
    await waitFor('the diagnosis', () => /quorum lost/.test(leader.status().reason), 5_000);
    expect(leader.isLeader()).toBe(false);
    expect(events.some((e) => !e.leader)).toBe(true);
    const refused = await leader.promote('db', 'db-x', token).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CoordUnavailableError);
    expect((refused as CoordUnavailableError).retriable).toBe(true);

    // Still no leader a lease TTL later: nobody acts without quorum.
    await new Promise((r) => setTimeout(r, TTL * 1000));
    expect(cs.filter((c) => c.isLeader())).toEqual([]);

    const restartedAt = Date.now();
    await Promise.all(victims.map((m) => m.restart()));
    await cluster.waitHealthy();
    const next = await waitFor('a leader after quorum is back', () => cs.find((c) => c.isLeader()), 30_000);
    process.stderr.write(`[coord] quorum restored -> leader again after ${Date.now() - restartedAt} ms\n`);
    expect(next.token()!).toBeGreaterThan(token);
    expect(cs.filter((c) => c.isLeader())).toEqual([next]);
    await waitFor('safe mode over everywhere', () => cs.every((c) => !c.status().safeMode), 10_000);
    await next.promote('db', 'db-1', next.token()!);
    expect((await next.primary('db'))?.primary).toBe('db-1');
    // The leadership from before the outage is over for good.
    const late = await leader.promote('db', 'db-y', token).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(leader === next ? StaleTokenError : NotLeaderError);
    expect((await next.primary('db'))?.primary).toBe('db-1');
  });
});
