import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { initialCluster, type MemberLayout, memberArgs } from '../../../infra/etcd/args.js';
import { externalEtcdEndpoints, startEtcdCluster } from '../../../infra/etcd/cluster.js';
import { EtcdPrerequisiteError } from '../../../infra/etcd/errors.js';
import { assertEtcd, parseEtcdVersion } from '../../../infra/etcd/tools.js';

const saved = { PATH: process.env['PATH'], ETCD_ENDPOINTS: process.env['ETCD_ENDPOINTS'] };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const layouts: MemberLayout[] = [1, 2, 3].map((i) => ({
  name: `m${i}`,
  host: '127.0.0.1',
  clientPort: 2000 + i,
  peerPort: 3000 + i,
  dataDir: `/tmp/d${i}`,
}));
const tuning = { heartbeatMs: 100, electionMs: 1000, clusterToken: 'tok' };

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

describe('etcd member flags', () => {
  it('names all members in --initial-cluster and gives each its own ports and data dir', () => {
    expect(initialCluster(layouts)).toBe('m1=http://127.0.0.1:3001,m2=http://127.0.0.1:3002,m3=http://127.0.0.1:3003');
    const args = memberArgs(layouts[1]!, layouts, tuning, 'new');
    expect(flag(args, '--name')).toBe('m2');
    expect(flag(args, '--data-dir')).toBe('/tmp/d2');
    expect(flag(args, '--listen-client-urls')).toBe('http://127.0.0.1:2002');
    expect(flag(args, '--listen-peer-urls')).toBe('http://127.0.0.1:3002');
    expect(flag(args, '--initial-cluster')).toBe(initialCluster(layouts));
    expect(flag(args, '--initial-cluster-state')).toBe('new');
    expect(flag(args, '--initial-cluster-token')).toBe('tok');
    expect(flag(args, '--heartbeat-interval')).toBe('100');
    expect(flag(args, '--election-timeout')).toBe('1000');
    expect(args).toContain('--pre-vote');
  });

  it('a restarted member rejoins as existing', () => {
    expect(flag(memberArgs(layouts[0]!, layouts, tuning, 'existing'), '--initial-cluster-state')).toBe('existing');
  });

  it('refuses an election timeout below 5 heartbeats', () => {
    expect(() => memberArgs(layouts[0]!, layouts, { ...tuning, electionMs: 400 }, 'new')).toThrow(RangeError);
  });
});

describe('etcd prerequisites and external clusters', () => {
  it('parses etcd --version', () => {
    expect(parseEtcdVersion('etcd Version: 3.4.23\nGit SHA: x')).toEqual([3, 4]);
    expect(parseEtcdVersion('nonsense')).toBeUndefined();
  });

  it('without etcd on PATH: a typed, non-retriable error saying what to apt-get install', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'faultline-noetcd-'));
    try {
      expect(() => assertEtcd(empty)).toThrow(EtcdPrerequisiteError);
      process.env['PATH'] = empty;
      delete process.env['ETCD_ENDPOINTS'];
      const err = await startEtcdCluster().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EtcdPrerequisiteError);
      expect(err).toMatchObject({ retriable: false, missing: ['etcd'] });
      expect((err as Error).message).toMatch(/apt-get install etcd-server/);
      expect((err as Error).message).toMatch(/ETCD_ENDPOINTS/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('ETCD_ENDPOINTS: uses that cluster and starts nothing', async () => {
    process.env['ETCD_ENDPOINTS'] = 'http://10.0.0.1:2379, http://10.0.0.2:2379';
    process.env['PATH'] = '/nonexistent';
    const c = await startEtcdCluster();
    expect(c).toMatchObject({
      external: true,
      members: [],
      endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
    });
    await c.stop();
  });

  it('ETCD_ENDPOINTS malformed: a clear error', () => {
    expect(externalEtcdEndpoints('')).toBeUndefined();
    expect(() => externalEtcdEndpoints('10.0.0.1:2379')).toThrow(
      /ETCD_ENDPOINTS="10.0.0.1:2379" is invalid: expected http/,
    );
  });
});
