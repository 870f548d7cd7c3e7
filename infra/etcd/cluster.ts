import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { freePorts } from '../kafka/ports.js';
import type { ClusterTuning, MemberLayout } from './args.js';
import { EtcdStartError } from './errors.js';
import { memberAnswers, memberHealthy, memberStatus } from './health.js';
import { type EtcdMember, MemberProcess } from './member.js';
import { assertEtcd } from './tools.js';

export type { EtcdMember } from './member.js';

export interface EtcdClusterOptions {
  /** Number of members (default 3). */
  members?: number;
  /** Parent folder for the member folders. Default: a fresh temp dir, removed by stop(). */
  dataDir?: string;
  /** Raft heartbeat interval in ms (default 100). */
  heartbeatMs?: number;
  /** Raft election timeout in ms (default 1000). */
  electionMs?: number;
  /** How long to wait for the cluster to become healthy (default 30 s). */
  startTimeoutMs?: number;
  log?: (m: string) => void;
}

export interface EtcdCluster {
  /** Client URLs (http://127.0.0.1:port), one per member. */
  endpoints: string[];
  /** The members started here (empty with ETCD_ENDPOINTS). */
  members: EtcdMember[];
  /** True when ETCD_ENDPOINTS pointed at a cluster we did not start. */
  external: boolean;
  /** The member that is currently the raft leader, as the live members see it. */
  raftLeader(): Promise<EtcdMember | undefined>;
  /** Waits until every live member reports a healthy cluster (leader elected, serving). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every member (SIGTERM, waits for exit) and removes the data dir when it is ours. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const endpointList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^https?:\/\/[^\s/]+:\d{1,5}\/?$/, 'expected http://host:port')).min(1));

/** ETCD_ENDPOINTS parsed; undefined when unset or blank. Throws a clear error when malformed. */
export function externalEtcdEndpoints(raw = process.env['ETCD_ENDPOINTS']): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const parsed = endpointList.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`ETCD_ENDPOINTS="${raw}" is invalid: ${issue?.message ?? 'expected http://host:port[,...]'}`);
  }
  return parsed.data;
}

function external(endpoints: string[]): EtcdCluster {
  return {
    endpoints,
    members: [],
    external: true,
    raftLeader: async () => undefined,
    waitHealthy: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await memberHealthy(endpoints[0]!))) {
        if (Date.now() > deadline) throw new EtcdStartError(`etcd at ${endpoints.join(',')} is not healthy`, '', '');
        await sleep(200);
      }
    },
    stop: async () => {},
  };
}

async function waitAllHealthy(members: MemberProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = members.filter((m) => m.alive());
    const dead = members.find((m) => !m.alive());
    if (dead) {
      const portTaken = /address already in use/i.test(dead.logTail(60));
      throw new EtcdStartError(
        `etcd member ${dead.name} exited before the cluster was healthy (${dead.exit})`,
        dead.logFile,
        dead.logTail(),
        { retriable: portTaken },
      );
    }
    const ok = await Promise.all(live.map((m) => memberHealthy(m.clientUrl)));
    if (ok.every(Boolean)) return;
    if (Date.now() > deadline) {
      const sick = live[ok.indexOf(false)]!;
      throw new EtcdStartError(
        `etcd cluster not healthy after ${timeoutMs / 1000} s (member ${sick.name} at ${sick.clientUrl})`,
        sick.logFile,
        sick.logTail(),
      );
    }
    await sleep(100);
  }
}

async function attempt(
  etcd: string,
  root: string,
  ownsRoot: boolean,
  count: number,
  tuning: ClusterTuning,
  timeoutMs: number,
): Promise<MemberProcess[]> {
  const ports = await freePorts(count * 2, HOST);
  const layouts: MemberLayout[] = Array.from({ length: count }, (_, i) => ({
    name: `m${i + 1}`,
    host: HOST,
    clientPort: ports[2 * i]!,
    peerPort: ports[2 * i + 1]!,
    dataDir: join(root, `m${i + 1}`, 'data'),
  }));
  const members = layouts.map((l) => {
    const home = join(root, l.name);
    rmSync(home, { recursive: true, force: true });
    mkdirSync(home, { recursive: true });
    return new MemberProcess(etcd, l, layouts, tuning, home, ownsRoot);
  });
  try {
    for (const m of members) await m.spawn('new');
    await waitAllHealthy(members, timeoutMs);
    return members;
  } catch (err) {
    await Promise.all(members.map((m) => m.stop(2000)));
    throw err;
  }
}

/**
 * A real etcd cluster to coordinate through. With env ETCD_ENDPOINTS set, that cluster (nothing is started,
 * `members` is empty, stop() is a no-op). Otherwise `members` (default 3) `etcd` processes on free 127.0.0.1
 * client and peer ports, each with its own data dir, `--initial-cluster` naming all of them; resolves when
 * every member reports the cluster healthy. Members are killed if this process exits (exit hook + watchdog).
 * Throws EtcdPrerequisiteError when `etcd` is not installed, EtcdStartError (with the member log tail) when
 * the cluster does not come up.
 */
export async function startEtcdCluster(opts: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const ext = externalEtcdEndpoints();
  if (ext) return external(ext);
  const etcd = assertEtcd();
  const count = opts.members ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`members must be a positive integer, got ${count}`);
  const tuning: ClusterTuning = {
    heartbeatMs: opts.heartbeatMs ?? 100,
    electionMs: opts.electionMs ?? 1000,
    clusterToken: `faultline-${randomBytes(6).toString('hex')}`,
  };
  const ownsRoot = opts.dataDir === undefined;
  const root = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'faultline-etcd-'));
  mkdirSync(root, { recursive: true });
  const log = opts.log ?? (() => {});
  const timeoutMs = opts.startTimeoutMs ?? 30_000;

  let members: MemberProcess[] | undefined;
  for (let i = 1; !members; i++) {
    try {
      members = await attempt(etcd, root, ownsRoot, count, tuning, timeoutMs);
    } catch (err) {
      // Free ports are chosen then released: another process may take one before etcd binds it.
      if (i < 3 && err instanceof EtcdStartError && err.retriable && /already in use/i.test(err.logTail)) {
        log(`a port was taken before etcd could bind it; retrying on new ports (attempt ${i + 1})`);
        continue;
      }
      if (ownsRoot) rmSync(root, { recursive: true, force: true });
      throw err;
    }
  }
  const started = members;
  log(`etcd cluster up: ${started.map((m) => `${m.name} ${m.clientUrl} pid ${m.pid}`).join(', ')} (data ${root})`);

  const raftLeader = async (): Promise<EtcdMember | undefined> => {
    const statuses = await Promise.all(started.map((m) => (m.alive() ? memberStatus(m.clientUrl) : undefined)));
    const leaderId = statuses.find((s) => s && s.leaderId !== '0')?.leaderId;
    const idx = statuses.findIndex((s) => s?.memberId === leaderId);
    return idx >= 0 ? started[idx] : undefined;
  };
  let stopped: Promise<void> | undefined;
  // The members get SIGTERM from the exit hook when this process ends without stop(); drop their data too.
  const dropData = () => {
    if (ownsRoot) rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', dropData);
  return {
    endpoints: started.map((m) => m.clientUrl),
    members: started,
    external: false,
    raftLeader,
    async waitHealthy(ms = timeoutMs) {
      const deadline = Date.now() + ms;
      for (;;) {
        const live = started.filter((m) => m.alive());
        const ok = await Promise.all(live.map((m) => memberHealthy(m.clientUrl)));
        if (live.length > 0 && ok.every(Boolean)) return;
        if (Date.now() > deadline) {
          const sick = live[ok.indexOf(false)] ?? started[0]!;
          throw new EtcdStartError(`etcd cluster not healthy after ${ms / 1000} s`, sick.logFile, sick.logTail());
        }
        await sleep(100);
      }
    },
    stop() {
      stopped ??= (async () => {
        // Followers first: a raft leader stopped while its peers are also stopping waits ~7 s trying to
        // hand its leadership over; alone, it stops at once.
        const leader = await raftLeader().catch(() => undefined);
        await Promise.all(started.filter((m) => m !== leader).map((m) => m.stop()));
        await Promise.all(started.map((m) => m.stop()));
        process.off('exit', dropData);
        dropData();
      })();
      return stopped;
    },
  };
}

/** Resolves once `member` answers on its client port (e.g. after restart(), before quorum is back). */
export async function waitMemberAnswers(member: EtcdMember, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await memberAnswers(member.clientUrl))) {
    if (Date.now() > deadline)
      throw new EtcdStartError(`etcd member ${member.name} does not answer`, member.logFile, '');
    await sleep(100);
  }
}
