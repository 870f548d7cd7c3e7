import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCluster } from '../../../infra/etcd/cluster.js';
import { FencingGuard, StaleTokenError } from '../../../src/coord/index.js';
import { CandidateProcess, etcdCoordinator, freshNamespace, startTestEtcd, waitFor } from '../../helpers/etcd.js';

// Heal-engine candidates as separate processes, so the leader can really be SIGKILLed: no resign, no revoke,
// its lease only ends when etcd expires it. Bound = TTL + raft/lessor allowance + a loaded-machine margin.
const TTL = 2;
const TAKEOVER_BOUND_MS = TTL * 1000 + 8000;

let cluster: EtcdCluster;
let procs: CandidateProcess[] = [];

beforeAll(async () => {
  cluster = await startTestEtcd();
});
afterAll(async () => {
  await cluster?.stop();
});
afterEach(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  procs = [];
});

describe('etcd coordinator: SIGKILL of the leading engine process', () => {
  it('a standby process takes over within the TTL bound with a larger token, and completes the promotion', async () => {
    const ns = freshNamespace('sigkill');
    procs = ['engine-a', 'engine-b', 'engine-c'].map(
      (id) => new CandidateProcess(id, cluster.endpoints, { ttl: TTL, namespace: ns, promote: 'db' }),
    );
    await waitFor('candidates ready', () => procs.every((p) => p.isReady()), 60_000);
    const leader = await waitFor(
      'one leader process',
      () => {
        const ls = procs.filter((p) => p.leadership().leader);
        return ls.length === 1 ? ls[0] : undefined;
      },
      20_000,
    );
    const oldToken = leader.leadership().token!;
    await waitFor('first promotion', () => leader.lines.find((l) => l.event === 'promoted'), 10_000);

    await leader.kill('SIGKILL');
    const rest = procs.filter((p) => p !== leader);
    const next = await waitFor('a standby to lead', () => rest.find((p) => p.leadership().leader), TAKEOVER_BOUND_MS);
    const newToken = next.leadership().token!;
    expect(newToken).toBeGreaterThan(oldToken);
    expect(rest.filter((p) => p.leadership().leader)).toEqual([next]);

    // The new leader's promotion went through etcd with its token.
    const promoted = await waitFor(
      'promotion by the new leader',
      () => next.lines.find((l) => l.event === 'promoted'),
      10_000,
    );
    expect(promoted.entry).toMatchObject({ primary: next.id, token: newToken });

    // What etcd records agrees, and a late action from the dead leader is refused by the actuator.
    const observer = etcdCoordinator(cluster, 'observer', { namespace: ns, ttlSeconds: TTL });
    try {
      expect(await observer.leader()).toEqual({ id: next.id, token: newToken });
      expect(await observer.primary('db')).toMatchObject({ primary: next.id, previous: leader.id, token: newToken });
    } finally {
      await observer.close();
    }
    const guard = new FencingGuard('webhook');
    guard.check(newToken);
    expect(() => guard.check(oldToken)).toThrow(StaleTokenError);
  });
});
