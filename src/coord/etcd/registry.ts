import { z } from 'zod';
import { NotLeaderError, RegistryConflictError, StaleTokenError } from '../errors.js';
import type { RegistryEntry } from '../types.js';
import type { EtcdCalls } from './client.js';

const Entry = z.object({
  group: z.string(),
  primary: z.string(),
  previous: z.string().optional(),
  token: z.number().int().positive(),
  by: z.string(),
  at: z.number(),
});

function parseEntry(raw: string, key: string): RegistryEntry {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error(`registry key ${key} does not hold JSON`);
  }
  const parsed = Entry.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`registry key ${key}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return { ...parsed.data, previous: parsed.data.previous };
}

/** The entry under `key` and its mod revision (0 when absent), read linearizably. */
export async function readEntry(
  calls: EtcdCalls,
  key: string,
): Promise<{ entry: RegistryEntry | undefined; mod: number }> {
  const res = await calls.call('registry read', () => calls.client.get(key).exec());
  const kv = res.kvs[0];
  if (!kv) return { entry: undefined, mod: 0 };
  return { entry: parseEntry(kv.value.toString(), key), mod: Number(kv.mod_revision) };
}

export interface PromoteRequest {
  registryKey: string;
  /** The caller's election key; the transaction requires it to exist with create revision == token. */
  electionKey: string;
  token: number;
  group: string;
  member: string;
  by: string;
  expectPrimary?: string | null | undefined;
}

/**
 * Compare-and-swap of a registry entry, conditioned in one etcd transaction on (a) the caller's election
 * key still existing with create revision == token - so the caller still leads, as in etcd's
 * Mutex.IsOwner - and (b) the entry being unchanged since it was read - so no newer token wrote it.
 */
export async function promoteInEtcd(calls: EtcdCalls, req: PromoteRequest, maxConflicts = 5): Promise<RegistryEntry> {
  for (let i = 0; i < maxConflicts; i++) {
    const { entry, mod } = await readEntry(calls, req.registryKey);
    if (entry && entry.token > req.token) {
      throw new StaleTokenError(req.token, entry.token, `group ${req.group} was last changed by ${entry.by}`);
    }
    // A retried commit whose first attempt did apply: report success, not a conflict with ourselves.
    if (entry && entry.token === req.token && entry.by === req.by && entry.primary === req.member) return entry;
    if (req.expectPrimary !== undefined && (entry?.primary ?? null) !== req.expectPrimary) {
      throw new RegistryConflictError(
        `group ${req.group}: expected primary ${req.expectPrimary ?? '(none)'} but it is ${entry?.primary ?? '(none)'}`,
        false,
      );
    }
    const next: RegistryEntry = {
      group: req.group,
      primary: req.member,
      previous: entry?.primary,
      token: req.token,
      by: req.by,
      at: Date.now(),
    };
    const res = await calls.call('registry promote', () =>
      calls.client
        .if(req.electionKey, 'Create', '==', req.token)
        .and(req.registryKey, 'Mod', '==', mod)
        .then(calls.client.put(req.registryKey).value(JSON.stringify(next)))
        .else(calls.client.get(req.electionKey))
        .commit(),
    );
    if (res.succeeded) return next;
    const own = res.responses[0]?.response_range?.kvs[0];
    if (!own || Number(own.create_revision) !== req.token) {
      throw new NotLeaderError(
        `cannot promote ${req.member} in ${req.group}: leadership with token ${req.token} is over (election key gone)`,
      );
    }
    // The entry changed between read and commit: read again.
  }
  throw new RegistryConflictError(`group ${req.group}: registry kept changing during ${maxConflicts} attempts`, true);
}
