import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildSpec } from './supervisor.js';

/**
 * How to run a faultline entry point (path relative to src/, without extension, e.g. 'worker/main') as
 * a child of this process: the compiled `.js` next to this module's compiled self (dist/), or — running
 * from sources through tsx — the `.ts` with tsx's loader resolved from here (so the child works from
 * any working directory).
 */
export function entryCommand(entry: string, args: string[]): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const fromSources = here.endsWith('.ts');
  const main = join(dirname(here), '..', `${entry}${fromSources ? '.ts' : '.js'}`);
  if (!existsSync(main)) throw new Error(`entry point not found: ${main}`);
  if (!fromSources) return { command: process.execPath, args: [main, ...args] };
  return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), main, ...args] };
}

/** How to run src/worker/main (the detect worker) as a child of this process. */
export function workerCommand(args: string[]): { command: string; args: string[] } {
  return entryCommand('worker/main', args);
}

export interface WorkerChildrenOptions {
  /** how many detect workers (>= 1) */
  count: number;
  pipelineFile: string;
  brokers: string[];
  /** worker log level (default info) */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** more `src/worker/main.ts` options, e.g. ['--checkpoint-every', '2000'] */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * `count` detect worker processes of one consumer group, named worker-1..N, ready once joined,
 * restarted when they crash (transient: a clean exit is not a crash).
 */
export function workerChildren(o: WorkerChildrenOptions): ChildSpec[] {
  if (!Number.isInteger(o.count) || o.count < 1) throw new Error(`workers: expected an integer >= 1, got ${o.count}`);
  return Array.from({ length: o.count }, (_, i) => {
    const { command, args } = workerCommand([
      '--pipeline',
      o.pipelineFile,
      '--brokers',
      o.brokers.join(','),
      '--log-level',
      o.logLevel ?? 'info',
      ...(o.extraArgs ?? []),
    ]);
    return {
      name: `worker-${i + 1}`,
      command,
      args,
      env: o.env,
      readyPattern: /joined group/,
      // a worker exits 0 only when asked to stop (SIGTERM/SIGINT): that is not a crash
      restart: 'transient' as const,
    };
  });
}
