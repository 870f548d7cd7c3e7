import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { killOnExit, startWatchdog, tailFile, terminate } from '../kafka/process.js';
import { DaemonStartError } from './errors.js';

export interface Daemon {
  pid: number;
  logFile: string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves when the process is gone */
  stop(graceMs?: number): Promise<void>;
}

export interface DaemonOptions {
  name: string;
  bin: string;
  args: string[];
  logFile: string;
  /** polled until it answers 200 */
  readyUrl: string;
  readyTimeoutMs?: number;
}

/**
 * Starts a long-running binary with stdout+stderr in `logFile`, waits until `readyUrl` answers 200,
 * and makes sure it cannot outlive us: killed on our 'exit', and a detached watchdog kills it if we
 * die by a signal. A daemon that exits or never gets ready is stopped and reported with its log tail.
 */
export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(opts.bin, opts.args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) {
    throw new DaemonStartError(`${opts.name}: could not start ${opts.bin}: ${(await spawnError).message}`);
  }
  const unregister = killOnExit(child);
  startWatchdog(pid, 5);
  let stopped: Promise<void> | undefined;
  const stop = (graceMs = 5000) => {
    stopped ??= terminate(child, graceMs).then(() => {
      unregister();
    });
    return stopped;
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  let last = '';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new DaemonStartError(
        `${opts.name} exited (${child.exitCode ?? child.signalCode}) before it was ready; log ${opts.logFile}:\n${tailFile(opts.logFile, 20)}`,
      );
    }
    try {
      const res = await fetch(opts.readyUrl, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel().catch(() => {});
      if (res.status === 200) break;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new DaemonStartError(
        `${opts.name}: ${opts.readyUrl} not ready in time (${last}); log ${opts.logFile}:\n${tailFile(opts.logFile, 20)}`,
      );
    }
    await sleep(100);
  }
  return { pid, logFile: opts.logFile, stop };
}
