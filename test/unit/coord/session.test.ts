import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { EtcdCalls } from '../../../src/coord/etcd/client.js';
import { Session } from '../../../src/coord/etcd/session.js';

/** A stand-in for the etcd calls a session makes; keep-alives answer with `keepAlive()`. */
function fakeCalls(keepAlive: () => Promise<number>, ttl = 1): { calls: EtcdCalls; keepAlives: () => number } {
  let count = 0;
  const calls = {
    callTimeoutMs: 100,
    async call(what: string) {
      if (what === 'lease grant') return { ID: '4660', TTL: String(ttl) };
      if (what === 'lease revoke') return {};
      if (what === 'lease keep-alive') {
        count++;
        return keepAlive();
      }
      throw new Error(`unexpected call ${what}`);
    },
  } as unknown as EtcdCalls;
  return { calls, keepAlives: () => count };
}

const opts = { ttlSeconds: 1, keepAliveIntervalMs: 100, demoteMarginMs: 300, retryDelayMs: 20 };

describe('Session (lease kept alive, demoted before it can expire)', () => {
  it('stays alive while keep-alives succeed', async () => {
    const { calls, keepAlives } = fakeCalls(async () => 2, 2);
    const s = await Session.open(calls, { ...opts, ttlSeconds: 2 });
    expect(s.leaseHex).toBe('1234');
    await sleep(2500); // longer than the TTL
    expect(keepAlives()).toBeGreaterThan(3);
    expect(s.alive()).toBe(true);
    await s.close(false);
    expect(s.alive()).toBe(false);
  });

  it('when keep-alives stop succeeding it is never alive past TTL - margin after the last success', async () => {
    let failing = false;
    const okSent: number[] = [];
    const { calls } = fakeCalls(async () => {
      const sent = performance.now();
      if (failing) throw new Error('etcd unavailable');
      okSent.push(sent);
      return 1;
    });
    const s = await Session.open(calls, opts);
    await sleep(250);
    failing = true;
    const violations: number[] = [];
    while (s.alive()) {
      const lastOk = okSent.at(-1) ?? 0;
      if (performance.now() >= lastOk + 1000 - opts.demoteMarginMs) violations.push(performance.now() - lastOk);
      await sleep(5);
    }
    expect(violations).toEqual([]);
    expect(await s.died()).toMatch(/stepping down 300 ms before the lease could expire.*etcd unavailable/);
  });

  it('dies at once when etcd answers that the lease is gone (TTL 0)', async () => {
    let gone = false;
    const { calls } = fakeCalls(async () => (gone ? 0 : 1));
    const s = await Session.open(calls, opts);
    await sleep(150);
    gone = true;
    const reason = await s.died();
    expect(reason).toMatch(/lease expired in etcd/);
    expect(s.alive()).toBe(false);
  });
});
