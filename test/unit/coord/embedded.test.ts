import { describe, expect, it } from 'vitest';
import {
  CoordClosedError,
  CoordRequestError,
  EmbeddedCoordinator,
  InvalidTokenError,
  NotLeaderError,
  RegistryConflictError,
  StaleTokenError,
} from '../../../src/coord/index.js';
import type { LeadershipEvent } from '../../../src/coord/types.js';

describe('embedded coordinator', () => {
  it('is leader as soon as it campaigns, with a token, and says so in its status', async () => {
    const c = new EmbeddedCoordinator({ id: 'solo', startToken: 10 });
    expect(c.isLeader()).toBe(false);
    expect(c.token()).toBeUndefined();
    const events: LeadershipEvent[] = [];
    c.onLeadershipChange((e) => events.push(e));
    await c.campaign();
    await c.campaign(); // idempotent
    expect(c.isLeader()).toBe(true);
    expect(c.token()).toBe(10);
    expect(await c.whenLeader(10)).toBe(10);
    expect(c.status()).toEqual({
      id: 'solo',
      backend: 'embedded',
      leader: true,
      token: 10,
      safeMode: false,
      reason: 'leader',
      campaigning: true,
    });
    expect(events.map((e) => [e.leader, e.token])).toEqual([[true, 10]]);
  });

  it('every new leadership gets a larger token; resign ends leadership', async () => {
    const c = new EmbeddedCoordinator({ startToken: 1 });
    const tokens: number[] = [];
    for (let i = 0; i < 5; i++) {
      await c.campaign();
      tokens.push(c.token()!);
      await c.resign();
      expect(c.isLeader()).toBe(false);
      expect(c.token()).toBeUndefined();
    }
    expect(tokens).toEqual([1, 2, 3, 4, 5]);
  });

  it('starts from the wall clock by default, so tokens keep growing across process restarts', async () => {
    const before = Date.now();
    const c = new EmbeddedCoordinator();
    await c.campaign();
    expect(c.token()!).toBeGreaterThanOrEqual(before);
  });

  it('whenLeader rejects with NotLeaderError when nobody campaigns', async () => {
    await expect(new EmbeddedCoordinator().whenLeader(20)).rejects.toBeInstanceOf(NotLeaderError);
  });

  it('promote: records the primary with the token, and keeps the previous one', async () => {
    const c = new EmbeddedCoordinator({ id: 'e', startToken: 5 });
    await c.campaign();
    const t = c.token()!;
    expect(await c.primary('db')).toBeUndefined();
    await c.promote('db', 'db-1', t, { expectPrimary: null });
    const entry = await c.promote('db', 'db-2', t, { expectPrimary: 'db-1' });
    expect(entry).toMatchObject({ group: 'db', primary: 'db-2', previous: 'db-1', token: t, by: 'e' });
    expect(await c.primary('db')).toEqual(entry);
  });

  it('promote: refuses without leadership, with an old or foreign token, and on a changed primary', async () => {
    const c = new EmbeddedCoordinator({ startToken: 1 });
    await expect(c.promote('db', 'db-1', 1)).rejects.toBeInstanceOf(NotLeaderError);
    await c.campaign();
    const old = c.token()!;
    await c.resign();
    await c.campaign();
    const cur = c.token()!;
    await expect(c.promote('db', 'db-1', old)).rejects.toBeInstanceOf(StaleTokenError);
    await expect(c.promote('db', 'db-1', cur + 1)).rejects.toBeInstanceOf(NotLeaderError);
    await c.promote('db', 'db-1', cur);
    const err = await c.promote('db', 'db-2', cur, { expectPrimary: 'db-9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryConflictError);
    expect((err as RegistryConflictError).retriable).toBe(false);
    expect((await c.primary('db'))?.primary).toBe('db-1');
  });

  it('validates its inputs with typed, non-retriable errors', async () => {
    const c = new EmbeddedCoordinator({ startToken: 1 });
    await c.campaign();
    for (const bad of [0, -1, 1.5, Number.NaN, '1']) {
      const err = await c.promote('db', 'x', bad as number).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidTokenError);
      expect((err as InvalidTokenError).retriable).toBe(false);
    }
    await expect(c.promote('', 'x', 1)).rejects.toBeInstanceOf(CoordRequestError);
    await expect(c.promote('db', 'x'.repeat(300), 1)).rejects.toThrow(/member/);
    expect(() => new EmbeddedCoordinator({ startToken: 0 })).toThrow(InvalidTokenError);
  });

  it('close resigns and refuses further use', async () => {
    const c = new EmbeddedCoordinator();
    await c.campaign();
    await c.close();
    expect(c.isLeader()).toBe(false);
    await expect(c.campaign()).rejects.toBeInstanceOf(CoordClosedError);
  });
});
