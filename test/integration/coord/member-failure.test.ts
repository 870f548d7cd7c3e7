import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCluster, EtcdMember } from '../../../infra/etcd/cluster.js';
import type { EtcdCoordinator } from '../../../src/coord/etcd/coordinator.js';
import { etcdCoordinator, freshNamespace, startTestEtcd, waitFor } from '../../helpers/etcd.js';

// TTL 5 s: a raft leader change (1.0-1.4 s with the default 100/1000 ms timings) fits well inside the lease's
// safety margin, so the heal leader should not even step down.
const TTL = 5;

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
  for (const m of cluster.members) if (!m.alive()) await m.restart();
  await cluster.waitHealthy();
});

/** Samples isLeader() of all coordinators until stopped; returns the max number of simultaneous leaders. */
function watchLeaderCount(cs: EtcdCoordinator[]): { stop: () => number } {
  let max = 0;
  const timer = setInterval(() => {
    max = Math.max(max, cs.filter((c) => c.isLeader()).length);
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return max;
    },
  };
}

async function promoteWhenPossible(cs: EtcdCoordinator[], group: string, member: string) {
  return waitFor(
    `a successful promote of ${member}`,
    async () => {
      const leader = cs.find((c) => c.isLeader());
      const token = leader?.token();
      if (!leader || token === undefined) return undefined;
      return leader.promote(group, member, token).catch(() => undefined);
    },
    30_000,
    200,
  );
}

describe.skipIf(process.env['ETCD_ENDPOINTS'])('etcd coordinator while etcd members fail', () => {
  for (const which of ['a follower', 'the raft leader'] as const) {
    it(`${which} killed: still exactly one heal leader, and promotions keep working`, async () => {
      const ns = freshNamespace('member');
      const cs = ['e1', 'e2', 'e3'].map((id) => etcdCoordinator(cluster, id, { namespace: ns, ttlSeconds: TTL }));
      live.push(...cs);
      await Promise.all(cs.map((c) => c.campaign()));
      const leader = await waitFor('a leader', () => cs.find((c) => c.isLeader()), 15_000);
      const token = leader.token()!;
      await leader.promote('db', 'db-1', token);

      const raft = await waitFor('the raft leader', () => cluster.raftLeader(), 10_000);
      const victim: EtcdMember =
        which === 'the raft leader' ? raft : cluster.members.find((m) => m !== raft && m.alive())!;
      const sampler = watchLeaderCount(cs);
      await victim.kill('SIGKILL');

      const entry = await promoteWhenPossible(cs, 'db', 'db-2');
      const after = await waitFor('one leader', () => cs.find((c) => c.isLeader()), 30_000);
      expect(entry).toMatchObject({ primary: 'db-2', previous: 'db-1' });
      expect(entry.token).toBeGreaterThanOrEqual(token);
      // Keep watching a few keep-alive periods with one member down.
      await new Promise((r) => setTimeout(r, 3000));
      expect(sampler.stop()).toBe(1);
      expect(cs.filter((c) => c.isLeader())).toEqual([after]);
      expect(after.status().safeMode).toBe(false);

      await victim.restart();
      await cluster.waitHealthy();
      const leader2 = await waitFor('a leader after the member is back', () => cs.find((c) => c.isLeader()), 15_000);
      await leader2.promote('db', 'db-3', leader2.token()!);
      expect((await leader2.primary('db'))?.primary).toBe('db-3');
    });
  }
});
