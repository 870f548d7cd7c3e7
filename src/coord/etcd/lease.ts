import { castGrpcError } from 'etcd3';
import type { EtcdCalls } from './client.js';

/** LeaseGrant; returns the lease id (decimal string) and the TTL etcd granted (it may raise small TTLs). */
export async function grantLease(calls: EtcdCalls, ttlSeconds: number): Promise<{ id: string; ttl: number }> {
  const res = await calls.call('lease grant', () => calls.client.leaseClient.leaseGrant({ TTL: ttlSeconds }), 1);
  if (res.error) throw new Error(`etcd refused the lease: ${res.error}`);
  return { id: String(res.ID), ttl: Number(res.TTL) };
}

/** LeaseRevoke; a lease that is already gone counts as revoked. */
export async function revokeLease(calls: EtcdCalls, id: string): Promise<void> {
  try {
    await calls.call('lease revoke', () => calls.client.leaseClient.leaseRevoke({ ID: id }), 1);
  } catch (err) {
    if (/lease not found|requested lease not found/i.test((err as Error).message)) return;
    throw err;
  }
}

/**
 * One keep-alive round trip on its own stream, abandoned when `signal` aborts (the call deadline).
 * Resolves with the TTL etcd reports: 0 means the lease no longer exists.
 */
export async function keepAliveOnce(calls: EtcdCalls, id: string, signal: AbortSignal): Promise<number> {
  const stream = await calls.client.leaseClient.leaseKeepAlive();
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const finish = (how: 'end' | 'cancel', fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      try {
        if (how === 'end') stream.end();
        else stream.cancel();
      } catch {}
      fn();
    };
    const onAbort = () => finish('cancel', () => reject(new Error('lease keep-alive: deadline exceeded')));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (res) => finish('end', () => resolve(Number(res.TTL))));
    stream.on('error', (err) => finish('cancel', () => reject(castGrpcError(err))));
    stream.on('end', () => finish('end', () => reject(new Error('lease keep-alive stream ended without an answer'))));
    stream.write({ ID: id });
  });
}
