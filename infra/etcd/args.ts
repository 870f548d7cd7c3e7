/** Command-line flags of one etcd member (pure, so it can be unit-tested). */

export interface MemberLayout {
  name: string;
  host: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
}

export interface ClusterTuning {
  /** Raft heartbeat in ms (etcd default 100). */
  heartbeatMs: number;
  /** Raft election timeout in ms (etcd default 1000; must be >= 5 x heartbeat). */
  electionMs: number;
  /** Unique token so members of different test clusters never talk to each other. */
  clusterToken: string;
}

export const clientUrl = (m: Pick<MemberLayout, 'host' | 'clientPort'>) => `http://${m.host}:${m.clientPort}`;
export const peerUrl = (m: Pick<MemberLayout, 'host' | 'peerPort'>) => `http://${m.host}:${m.peerPort}`;

/** `m1=http://127.0.0.1:p1,m2=...` naming every member. */
export function initialCluster(members: MemberLayout[]): string {
  return members.map((m) => `${m.name}=${peerUrl(m)}`).join(',');
}

/**
 * Flags for `member` in a cluster of `all`. `state` is 'new' for the first start and 'existing' when a
 * member restarts on its old data dir.
 */
export function memberArgs(
  member: MemberLayout,
  all: MemberLayout[],
  tuning: ClusterTuning,
  state: 'new' | 'existing',
): string[] {
  if (tuning.electionMs < 5 * tuning.heartbeatMs) {
    throw new RangeError(
      `etcd election timeout (${tuning.electionMs} ms) must be at least 5 x the heartbeat (${tuning.heartbeatMs} ms)`,
    );
  }
  return [
    '--name',
    member.name,
    '--data-dir',
    member.dataDir,
    '--listen-client-urls',
    clientUrl(member),
    '--advertise-client-urls',
    clientUrl(member),
    '--listen-peer-urls',
    peerUrl(member),
    '--initial-advertise-peer-urls',
    peerUrl(member),
    '--initial-cluster',
    initialCluster(all),
    '--initial-cluster-state',
    state,
    '--initial-cluster-token',
    tuning.clusterToken,
    '--heartbeat-interval',
    String(tuning.heartbeatMs),
    '--election-timeout',
    String(tuning.electionMs),
    // Pre-vote: a member that comes back does not disrupt a healthy leader.
    '--pre-vote',
    '--logger',
    'zap',
    '--log-outputs',
    'stderr',
    '--auto-compaction-mode',
    'revision',
    '--auto-compaction-retention',
    '10000',
  ];
}
