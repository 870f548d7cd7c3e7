import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type EtcdCluster, startEtcdCluster } from '../../infra/etcd/cluster.js';
import type { CoordinatorConfigInput } from '../../src/coord/config.js';
import type { EtcdCoordinator } from '../../src/coord/etcd/coordinator.js';
import { createCoordinator } from '../../src/coord/index.js';

/** A real 3-member etcd cluster for one test file (or ETCD_ENDPOINTS). Stop it in afterAll. */
export function startTestEtcd(opts: { heartbeatMs?: number; electionMs?: number } = {}): Promise<EtcdCluster> {
  return startEtcdCluster({ members: 3, ...opts, log: (m) => process.stderr.write(`[etcd] ${m}\n`) });
}

/** A namespace no other test shares. */
export function freshNamespace(label: string): string {
  return `t-${label}-${randomBytes(4).toString('hex')}`;
}

type EtcdInput = Extract<CoordinatorConfigInput, { backend: 'etcd' }>;

/** An in-process etcd coordinator on `cluster`. */
export function etcdCoordinator(
  cluster: EtcdCluster,
  id: string,
  settings: Omit<EtcdInput, 'backend' | 'endpoints' | 'id'> = {},
): EtcdCoordinator {
  return createCoordinator({ backend: 'etcd', endpoints: cluster.endpoints, id, ...settings }) as EtcdCoordinator;
}

/** Polls `check` until it returns a value other than undefined/false; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export { type CandidateLine, CandidateProcess } from '../../src/coord/candidate-process.js';
