import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from '../../../infra/kafka/lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('withFileLock', () => {
  it('serialises concurrent holders and releases the lock', async () => {
    const lock = join(dir, 'x.lock');
    const events: string[] = [];
    const holder = (name: string) =>
      withFileLock(
        lock,
        async () => {
          events.push(`${name}:in`);
          await sleep(50);
          events.push(`${name}:out`);
          return name;
        },
        { pollMs: 10 },
      );
    const results = await Promise.all([holder('a'), holder('b'), holder('c')]);
    expect(results).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]?.endsWith(':in')).toBe(true);
      expect(events[i + 1]).toBe(events[i]!.replace(':in', ':out'));
    }
    expect(existsSync(lock)).toBe(false);
  });

  it('breaks a lock left by a dead process', async () => {
    const lock = join(dir, 'y.lock');
    writeFileSync(lock, '999999999\n'); // no such PID
    await expect(withFileLock(lock, async () => 'got it', { pollMs: 10 })).resolves.toBe('got it');
  });

  it('releases the lock when the holder throws', async () => {
    const lock = join(dir, 'z.lock');
    await expect(
      withFileLock(lock, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(existsSync(lock)).toBe(false);
  });
});
