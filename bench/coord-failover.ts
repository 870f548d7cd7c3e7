/**
 * Coordinator failover time: `tsx bench/coord-failover.ts [--kills 10] [--ttl 2] [--fast-raft] [--json]`
 *
 * Starts a real 3-member etcd cluster (infra/etcd; or uses ETCD_ENDPOINTS) and three heal-engine candidates
 * as separate processes (src/coord/candidate-main.ts). Repeatedly SIGKILLs the leading process and measures
 * the time from the kill to the moment a standby reports leadership; the killed candidate is replaced by a
 * fresh one each round. Progress goes to stderr, a table to stdout; with --json the last line of stdout is
 * one JSON object. Failover is bounded by the lease TTL (a dead leader's lease must expire) plus etcd's
 * expiry check (500 ms) and the standby's notification.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startEtcdCluster } from '../infra/etcd/cluster.js';
import { CandidateProcess } from '../src/coord/candidate-process.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '10' },
    ttl: { type: 'string', default: '2' },
    'fast-raft': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const kills = Number(values.kills);
const ttl = Number(values.ttl);
if (!Number.isInteger(kills) || kills < 1) throw new Error(`--kills must be a positive integer, got ${values.kills}`);
if (!Number.isInteger(ttl) || ttl < 1) throw new Error(`--ttl must be a positive integer (seconds), got ${values.ttl}`);

const say = (m: string) => process.stderr.write(`[coord-bench] ${m}\n`);

async function until<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const raft = values['fast-raft'] ? { heartbeatMs: 50, electionMs: 500 } : { heartbeatMs: 100, electionMs: 1000 };
const cluster = await startEtcdCluster({ members: 3, ...raft, log: say });
const namespace = `bench-${Date.now()}`;
let serial = 0;
const spawnCandidate = () => new CandidateProcess(`engine-${++serial}`, cluster.endpoints, { ttl, namespace });
let procs = [spawnCandidate(), spawnCandidate(), spawnCandidate()];
const rounds: Array<{ kill: number; failoverMs: number; oldToken: number; newToken: number }> = [];

try {
  await until('candidates ready', () => (procs.every((p) => p.isReady()) ? true : undefined), 120_000);
  for (let k = 1; k <= kills; k++) {
    const leader = await until(
      'exactly one leader',
      () => {
        const ls = procs.filter((p) => p.leadership().leader);
        return ls.length === 1 ? ls[0] : undefined;
      },
      60_000,
    );
    // Let every standby queue behind the leader (a fresh process needs a moment after 'ready').
    await sleep(1000);
    const oldToken = leader.leadership().token!;
    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    const rest = procs.filter((p) => p !== leader);
    const next = await until(
      'a standby to lead',
      () => rest.find((p) => p.leadership().leader && (p.leadership().at ?? 0) >= killedAt),
      60_000,
    );
    const { token: newToken, at } = next.leadership();
    const failoverMs = at! - killedAt;
    if (newToken! <= oldToken) throw new Error(`token did not grow: ${oldToken} -> ${newToken}`);
    rounds.push({ kill: k, failoverMs, oldToken, newToken: newToken! });
    say(`kill ${k}/${kills}: ${leader.id} (token ${oldToken}) -> ${next.id} (token ${newToken}) in ${failoverMs} ms`);
    procs = [...rest, spawnCandidate()];
    await until('replacement ready', () => (procs.every((p) => p.isReady()) ? true : undefined), 120_000);
  }
} finally {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await cluster.stop();
}

const times = rounds.map((r) => r.failoverMs);
const result = {
  bench: 'coord-failover',
  kills: rounds.length,
  ttl_s: ttl,
  raft_heartbeat_ms: raft.heartbeatMs,
  raft_election_ms: raft.electionMs,
  failover_ms: times,
  failover_median_ms: median(times),
  failover_max_ms: Math.max(...times),
  failover_min_ms: Math.min(...times),
  tokens_increasing: rounds.every((r) => r.newToken > r.oldToken),
};
process.stdout.write(
  [
    `coordinator failover over ${result.kills} SIGKILLs of the leader (lease TTL ${ttl} s, raft ${raft.heartbeatMs}/${raft.electionMs} ms)`,
    `  median ${result.failover_median_ms} ms   max ${result.failover_max_ms} ms   min ${result.failover_min_ms} ms`,
    `  each: ${times.join(', ')} ms`,
    `  fencing tokens strictly increasing: ${result.tokens_increasing ? 'yes' : 'NO'}`,
    '',
  ].join('\n'),
);
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
