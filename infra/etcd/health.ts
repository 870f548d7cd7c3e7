/** Small HTTP probes of one etcd member (its JSON gateway on the client URL), each with a deadline. */

async function fetchJson(url: string, init: RequestInit, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/** True when the member says the cluster has a leader and it can serve (GET /health). */
export async function memberHealthy(clientUrl: string, timeoutMs = 1000): Promise<boolean> {
  try {
    const body = (await fetchJson(`${clientUrl}/health`, {}, timeoutMs)) as { health?: unknown };
    return body.health === 'true' || body.health === true;
  } catch {
    return false;
  }
}

/** True when the member process answers on its client port at all (GET /version), quorum or not. */
export async function memberAnswers(clientUrl: string, timeoutMs = 1000): Promise<boolean> {
  try {
    await fetchJson(`${clientUrl}/version`, {}, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

export interface MemberStatus {
  /** This member's raft id (decimal string). */
  memberId: string;
  /** The raft leader's id as this member sees it ('0' = no leader). */
  leaderId: string;
  raftTerm: string;
}

/** Maintenance status through the gRPC gateway (POST /v3/maintenance/status); undefined when no answer. */
export async function memberStatus(clientUrl: string, timeoutMs = 1000): Promise<MemberStatus | undefined> {
  try {
    const body = (await fetchJson(
      `${clientUrl}/v3/maintenance/status`,
      { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } },
      timeoutMs,
    )) as { header?: { member_id?: string }; leader?: string; raftTerm?: string };
    if (!body.header?.member_id) return undefined;
    return { memberId: body.header.member_id, leaderId: body.leader ?? '0', raftTerm: body.raftTerm ?? '0' };
  } catch {
    return undefined;
  }
}
