import { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCluster } from '../../../infra/etcd/cluster.js';
import { EtcdCalls } from '../../../src/coord/etcd/client.js';
import type { EtcdCoordinator } from '../../../src/coord/etcd/coordinator.js';
import { promoteInEtcd } from '../../../src/coord/etcd/registry.js';
import { NotLeaderError, RegistryConflictError, StaleTokenError } from '../../../src/coord/index.js';
import { etcdCoordinator, freshNamespace, startTestEtcd, waitFor } from '../../helpers/etcd.js';

// TTL 5: the deposed leader's keep-alive runs every ~1.7 s, so it usually still believes it leads when it races.
const TTL = 5;

let cluster: EtcdCluster;
let admin: Etcd3;
let live: EtcdCoordinator[] = [];

beforeAll(async () => {
  cluster = await startTestEtcd();
  admin = new Etcd3({ hosts: cluster.endpoints });
});
afterAll(async () => {
  admin?.close();
  await cluster?.stop();
});
afterEach(async () => {
  await Promise.all(live.map((c) => c.close().catch(() => {})));
  live = [];
});

function pair(ns: string): [EtcdCoordinator, EtcdCoordinator] {
  const a = etcdCoordinator(cluster, 'engine-a', { namespace: ns, ttlSeconds: TTL });
  const b = etcdCoordinator(cluster, 'engine-b', { namespace: ns, ttlSeconds: TTL });
  live.push(a, b);
  return [a, b];
}

/** The leader's election key and lease, as an operator would see them in etcd. */
async function leaderKey(ns: string): Promise<{ key: string; lease: string; rev: number }> {
  const res = await admin.getAll().prefix(`${ns}/election/heal/`).sort('Create', 'Ascend').limit(1).exec();
  const kv = res.kvs[0]!;
  return { key: kv.key.toString(), lease: String(kv.lease), rev: Number(kv.create_revision) };
}

describe('primary/backup registry: changed only by transactions fenced on leadership', () => {
  it('a deposed leader racing the new leader: only the new leader promotes', async () => {
    const ns = freshNamespace('race');
    const [a, b] = pair(ns);
    await a.campaign();
    const ta = await a.whenLeader(10_000);
    await b.campaign();
    await waitFor('b queued', () => /standby/.test(b.status().reason), 10_000);
    await a.promote('db', 'db-1', ta);
    const deposed = await leaderKey(ns);

    // a's lease ends in etcd (as after a long pause); b leads before a notices.
    await admin.leaseClient.leaseRevoke({ ID: deposed.lease });
    const tb = await b.whenLeader(10_000);
    expect(tb).toBeGreaterThan(ta);

    const [ra, rb] = await Promise.allSettled([a.promote('db', 'db-2', ta), b.promote('db', 'db-3', tb)]);
    expect(rb.status).toBe('fulfilled');
    expect(ra.status).toBe('rejected');
    expect((ra as PromiseRejectedResult).reason).toBeInstanceOf(NotLeaderError);
    expect(await b.primary('db')).toMatchObject({ primary: 'db-3', previous: 'db-1', token: tb, by: 'engine-b' });
  });

  it('etcd itself refuses the deposed token, even for a caller that skips every local check', async () => {
    const ns = freshNamespace('fence');
    const [a, b] = pair(ns);
    await a.campaign();
    const ta = await a.whenLeader(10_000);
    await b.campaign();
    const deposed = await leaderKey(ns);
    await admin.leaseClient.leaseRevoke({ ID: deposed.lease });
    const tb = await b.whenLeader(10_000);
    await b.promote('db', 'db-b', tb);

    const raw = new EtcdCalls({ endpoints: cluster.endpoints, callTimeoutMs: 1000, attempts: 3 });
    try {
      const request = { registryKey: `${ns}/registry/db`, group: 'db', member: 'db-a', by: 'engine-a' };
      // Old token against an entry written by a newer one: stale.
      await expect(promoteInEtcd(raw, { ...request, electionKey: deposed.key, token: ta })).rejects.toBeInstanceOf(
        StaleTokenError,
      );
      // A fresh group (no newer entry): the transaction's leadership compare refuses it.
      await expect(
        promoteInEtcd(raw, { ...request, registryKey: `${ns}/registry/cache`, electionKey: deposed.key, token: ta }),
      ).rejects.toBeInstanceOf(NotLeaderError);
    } finally {
      raw.close();
    }
    expect(await b.primary('cache')).toBeUndefined();
    expect((await b.primary('db'))?.primary).toBe('db-b');
  });

  it('two concurrent failovers of the same primary: exactly one succeeds', async () => {
    const ns = freshNamespace('cas');
    const [a] = pair(ns);
    await a.campaign();
    const t = await a.whenLeader(10_000);
    await a.promote('db', 'db-1', t, { expectPrimary: null });
    for (let round = 0; round < 5; round++) {
      const current = (await a.primary('db'))!.primary;
      const results = await Promise.allSettled(
        ['x', 'y', 'z'].map((s) => a.promote('db', `db-${round}-${s}`, t, { expectPrimary: current })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results.filter((x) => x.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(RegistryConflictError);
      }
      const entry = (won[0] as PromiseFulfilledResult<{ primary: string }>).value;
      expect((await a.primary('db'))?.primary).toBe(entry.primary);
    }
  });

  it('a standby cannot promote, and a token from another leadership is refused', async () => {
    const ns = freshNamespace('standby');
    const [a, b] = pair(ns);
    await a.campaign();
    const ta = await a.whenLeader(10_000);
    await b.campaign();
    await expect(b.promote('db', 'db-x', ta)).rejects.toBeInstanceOf(NotLeaderError);
    await expect(a.promote('db', 'db-x', ta + 1000)).rejects.toBeInstanceOf(NotLeaderError);
    expect(await a.primary('db')).toBeUndefined();
  });
});
