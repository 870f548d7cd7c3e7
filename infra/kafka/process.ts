import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Brokers started by this process: killed on process 'exit' so none outlive a crashed test run. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGTERM');
      } catch {}
    }
  });
}

/** Registers a child so it is signalled when this process exits; returns the unregister function. */
export function killOnExit(child: ChildProcess): () => void {
  installExitHook();
  live.add(child);
  return () => live.delete(child);
}

// Runs detached: if our process dies without stopping the broker (SIGKILL, unhandled signal, 'exit'),
// it stops the broker (SIGTERM, then SIGKILL after a grace period) and removes its temp data dir.
// Ends by itself when the broker ends while we are alive.
const WATCHDOG = `
parent=$1; child=$2; grace=$3; dir=$4
while kill -0 "$parent" 2>/dev/null; do
  kill -0 "$child" 2>/dev/null || exit 0
  sleep 1
done
kill -TERM "$child" 2>/dev/null
i=0
while [ "$i" -lt "$grace" ] && kill -0 "$child" 2>/dev/null; do sleep 1; i=$((i+1)); done
kill -KILL "$child" 2>/dev/null
if [ -n "$dir" ]; then sleep 1; rm -rf -- "$dir"; fi
exit 0
`;

/** Starts the watchdog for `childPid`; `removeDir` (a temp dir we own) is deleted once the broker is gone. */
export function startWatchdog(childPid: number, graceSeconds = 30, removeDir = ''): void {
  try {
    const args = [String(process.pid), String(childPid), String(graceSeconds), removeDir];
    const dog = spawn('sh', ['-c', WATCHDOG, 'faultline-kafka-watchdog', ...args], {
      detached: true,
      stdio: 'ignore',
    });
    dog.on('error', () => {}); // no sh: the 'exit' hook still covers normal exits
    dog.unref();
  } catch {}
}

/** Whether a PID is a running (non-zombie) process. */
export function pidRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

/** Polls until `pid` is gone or the timeout passes; true when it is gone. */
export async function waitPidGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidRunning(pid)) return true;
    await sleep(100);
  }
  return !pidRunning(pid);
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves when the child process has exited. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<'exited' | 'killed'> {
  if (child.exitCode !== null || child.signalCode !== null) return 'exited';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!timedOut) return 'exited';
  child.kill('SIGKILL');
  await exited;
  return 'killed';
}

/** Last `lines` lines of a text file (reads at most the last 64 KB); '' when it does not exist. */
export function tailFile(file: string, lines = 40): string {
  try {
    const size = statSync(file).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, len, size - len);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8').split('\n').filter(Boolean).slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Reads a growing file from `offset`; returns the new text and the next offset. */
export function readFrom(file: string, offset: number): { text: string; next: number } {
  try {
    const size = statSync(file).size;
    if (size <= offset) return { text: '', next: offset };
    const buf = Buffer.alloc(size - offset);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, offset);
    } finally {
      closeSync(fd);
    }
    return { text: buf.toString('utf8'), next: size };
  } catch {
    return { text: '', next: offset };
  }
}
