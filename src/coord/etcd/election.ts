import type { IKeyValue, Watcher } from 'etcd3';
import type { EtcdCalls } from './client.js';

/** A candidate's key in the election: its create revision orders the queue and is the fencing token. */
export interface CandidateKey {
  key: string;
  rev: number;
}

function revision(v: string | number | undefined, what: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`etcd returned an invalid ${what}: ${String(v)}`);
  return n;
}

/**
 * Puts the candidate key `<prefix><leaseHex>` bound to the lease, unless it exists already (a retried
 * call): like etcd's concurrency.Election.Campaign. Returns the key and its create revision.
 */
export async function putCandidateKey(
  calls: EtcdCalls,
  prefix: string,
  leaseId: string,
  leaseHex: string,
  value: string,
): Promise<CandidateKey> {
  const key = `${prefix}${leaseHex}`;
  const res = await calls.call('campaign', () =>
    calls.client
      .if(key, 'Create', '==', 0)
      .then(calls.client.put(key).value(value).lease(leaseId))
      .else(calls.client.get(key))
      .commit(),
  );
  if (res.succeeded) return { key, rev: revision(res.header.revision, 'revision') };
  const kv = res.responses[0]?.response_range?.kvs[0];
  if (!kv) throw new Error(`campaign: key ${key} vanished during the transaction`);
  return { key, rev: revision(kv.create_revision, 'create revision') };
}

function toCandidate(kv: IKeyValue | undefined): CandidateKey | undefined {
  return kv ? { key: kv.key.toString(), rev: revision(kv.create_revision, 'create revision') } : undefined;
}

/** The newest key created before `rev` (the one this candidate waits for), with the read's revision. */
export async function predecessor(
  calls: EtcdCalls,
  prefix: string,
  rev: number,
): Promise<{ pred: CandidateKey | undefined; headerRev: number }> {
  const res = await calls.call('election wait', () =>
    calls.client
      .getAll()
      .prefix(prefix)
      .maxCreateRevision(String(rev - 1))
      .sort('Create', 'Descend')
      .limit(1)
      .exec(),
  );
  return { pred: toCandidate(res.kvs[0]), headerRev: revision(res.header.revision, 'revision') };
}

/** The current leader: the oldest key under the prefix; its value is the leader's id. */
export async function electionLeader(
  calls: EtcdCalls,
  prefix: string,
): Promise<{ id: string; token: number } | undefined> {
  const res = await calls.call('election leader', () =>
    calls.client.getAll().prefix(prefix).sort('Create', 'Ascend').limit(1).exec(),
  );
  const kv = res.kvs[0];
  return kv ? { id: kv.value.toString(), token: revision(kv.create_revision, 'create revision') } : undefined;
}

/** Watches one key for its deletion; `deleted` resolves when it happens. Never rejects. */
export class DeleteWatch {
  readonly deleted: Promise<void>;
  private watcher: Watcher | undefined;
  private cancelled = false;

  constructor(calls: EtcdCalls, key: string, fromRevision: number) {
    this.deleted = new Promise<void>((resolve) => {
      calls.client
        .watch()
        .key(key)
        .startRevision(String(fromRevision))
        .only('delete')
        .create()
        .then((w) => {
          this.watcher = w;
          if (this.cancelled) void w.cancel().catch(() => {});
          w.on('delete', () => resolve());
          w.on('error', () => {}); // the poll in waitElected covers a broken watch
        })
        .catch(() => {});
    });
  }

  cancel(): void {
    this.cancelled = true;
    void this.watcher?.cancel().catch(() => {});
  }
}
