import type { ChildProcess } from 'node:child_process';

/** A child process a benchmark started, with its exit as a promise. */
export interface BenchChild {
  proc: ChildProcess;
  exited: Promise<number | null>;
}

/** SIGTERM (or `signal`) the child and wait for it to exit; SIGKILL after 30 s. */
export async function stopChild(c: BenchChild, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill(signal);
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), 30_000);
  await c.exited;
  clearTimeout(timer);
}
