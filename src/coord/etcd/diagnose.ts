/** Why etcd cannot be used right now, from each member's own view (HTTP gateway, no quorum needed). */

interface StatusBody {
  header?: { member_id?: string };
  leader?: string;
}

async function status(endpoint: string, timeoutMs: number): Promise<StatusBody | undefined> {
  try {
    const res = await fetch(`${endpoint.replace(/\/$/, '')}/v3/maintenance/status`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    return res.ok ? ((await res.json()) as StatusBody) : undefined;
  } catch {
    return undefined;
  }
}

/** 'etcd unreachable: ...' or 'quorum lost: ...' or a fallback naming the last error. */
export async function diagnoseEtcd(
  endpoints: string[],
  lastError: string | undefined,
  timeoutMs = 500,
): Promise<string> {
  const answers = await Promise.all(endpoints.map((e) => status(e, timeoutMs)));
  const up = answers.filter((a): a is StatusBody => a !== undefined);
  if (up.length === 0) return `etcd unreachable: none of ${endpoints.length} endpoints answers`;
  const withLeader = up.filter((a) => a.leader && a.leader !== '0');
  if (withLeader.length === 0) {
    return `quorum lost: ${up.length} of ${endpoints.length} etcd members answer and none has a raft leader`;
  }
  return `etcd not answering in time (${up.length} of ${endpoints.length} members up)${lastError ? `: ${lastError}` : ''}`;
}
