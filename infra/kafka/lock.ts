import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockIsStale(lockPath: string, staleMs: number): boolean {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid)) return true;
    return Date.now() - statSync(lockPath).mtimeMs > staleMs;
  } catch {
    return false; // vanished meanwhile: just retry
  }
}

/**
 * Runs `fn` while holding an exclusive lock file across processes. The lock is taken by hard-linking a
 * file that already holds our PID (atomic, fails if the lock exists); a lock whose owner died is broken.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  opts: { onWait?: (owner: string) => void; staleMs?: number; pollMs?: number } = {},
): Promise<T> {
  const staleMs = opts.staleMs ?? 15 * 60_000;
  const mine = `${lockPath}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(mine, `${process.pid}\n`);
  let told = false;
  try {
    for (;;) {
      try {
        linkSync(mine, lockPath);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (lockIsStale(lockPath, staleMs)) {
        rmSync(lockPath, { force: true });
        continue;
      }
      if (!told) {
        told = true;
        let owner = '?';
        try {
          owner = readFileSync(lockPath, 'utf8').trim();
        } catch {}
        opts.onWait?.(owner);
      }
      await sleep(opts.pollMs ?? 250);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  try {
    return await fn();
  } finally {
    rmSync(lockPath, { force: true });
  }
}
