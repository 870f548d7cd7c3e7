import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCluster } from '../../../infra/etcd/cluster.js';
import type { EtcdCoordinator } from '../../../src/coord/etcd/coordinator.js';
import { FencingGuard, StaleTokenError } from '../../../src/coord/index.js';
import type { LeadershipEvent } from '../../../src/coord/types.js';
import { etcdCoordinator, freshNamespace, startTestEtcd, waitFor } from '../../helpers/etcd.js';

// Lease TTL of these tests. A standby must lead within the TTL after the leader's last keep-alive, plus the
// lessor's expiry check (500 ms), plus a raft-leader-change allowance: the bound below is generous on purpose
// (a shared 2-core machine), the benchmark measures the real figure.
const TTL = 2;
const TAKEOVER_BOUND_MS = TTL * 1000 + 6000;

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

function candidates(n: number, ns: string): EtcdCoordinator[] {
  const cs = Array.from({ length: n }, (_, i) =>
    etcdCoordinator(cluster, `engine-${i + 1}`, { namespace: ns, ttlSeconds: TTL }),
  );
  live.push(...cs);
  return cs;
}

async function soleLeader(cs: EtcdCoordinator[]): Promise<EtcdCoordinator> {
  return waitFor(
    'exactly one leader',
    () => {
      const leaders = cs.filter((c) => c.isLeader());
      return leaders.length === 1 ? leaders[0] : undefined;
    },
    15_000,
  );
}

describe('etcd coordinator: election on a real 3-member cluster', () => {
  it('three candidates campaign: exactly one leads, and etcd agrees on who', async () => {
    const cs = candidates(3, freshNamespace('elect'));
    await Promise.all(cs.map((c) => c.campaign()));
    const leader = await soleLeader(cs);
    // Stays exactly one over several keep-alive periods.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 150));
      expect(cs.filter((c) => c.isLeader())).toEqual([leader]);
    }
    expect(await leader.leader()).toEqual({ id: leader.id, token: leader.token() });
    for (const c of cs.filter((x) => x !== leader)) {
      const s = c.status();
      expect(s).toMatchObject({ leader: false, token: undefined, safeMode: false, campaigning: true });
      expect(s.reason).toMatch(/standby/);
    }
    expect(leader.status()).toMatchObject({ leader: true, token: leader.token(), safeMode: false, reason: 'leader' });
  });

  it('the leader dies abruptly (lease abandoned): a standby leads within the TTL bound with a larger token', async () => {
    const cs = candidates(3, freshNamespace('crash'));
    const events: Array<LeadershipEvent & { id: string }> = [];
    for (const c of cs) c.onLeadershipChange((e) => events.push({ ...e, id: c.id }));
    await Promise.all(cs.map((c) => c.campaign()));
    const first = await soleLeader(cs);
    const oldToken = first.token()!;

    await first.crash();
    const rest = cs.filter((c) => c !== first);
    const next = await waitFor('a standby to take over', () => rest.find((c) => c.isLeader()), TAKEOVER_BOUND_MS);
    const newToken = next.token()!;
    expect(newToken).toBeGreaterThan(oldToken);
    expect(rest.filter((c) => c.isLeader())).toEqual([next]);
    expect(events.filter((e) => e.leader).map((e) => e.id)).toEqual([first.id, next.id]);

    // An actuator that saw the new leader's token refuses the dead leader's.
    const guard = new FencingGuard('sim');
    guard.check(newToken);
    expect(() => guard.check(oldToken)).toThrow(StaleTokenError);
    expect(guard.accepts(newToken)).toBe(true);
  });

  it('resign hands leadership over at once, and the resigned engine can lead again later with a new token', async () => {
    const [a, b] = candidates(2, freshNamespace('resign'));
    await a!.campaign();
    const ta = await a!.whenLeader(10_000);
    await b!.campaign();
    await a!.resign();
    expect(a!.isLeader()).toBe(false);
    expect(a!.status().reason).toBe('resigned');
    const tb = await b!.whenLeader(5_000);
    expect(tb).toBeGreaterThan(ta);
    await a!.campaign();
    await b!.resign();
    const ta2 = await a!.whenLeader(5_000);
    expect(ta2).toBeGreaterThan(tb);
  });
});
