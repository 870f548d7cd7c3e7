import type { ChildSpec } from './supervisor.js';
import { entryCommand } from './workers.js';

export interface HealChildrenOptions {
  /** heal engine processes (>= 1); more than one needs etcd (only the leader acts) */
  count: number;
  pipelineFile: string;
  brokers: string[];
  /** etcd client URLs (else the pipeline's coordinator section decides) */
  etcd?: string[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  env?: NodeJS.ProcessEnv;
}

/**
 * `count` heal engine processes (src/heal/service/main) named heal-1..N, each with a stable id (its
 * consumer group and etcd candidacy survive a restart), ready once consuming, restarted when they crash
 * (transient: a clean exit after SIGTERM is not a crash).
 */
export function healChildren(o: HealChildrenOptions): ChildSpec[] {
  if (!Number.isInteger(o.count) || o.count < 1)
    throw new Error(`heal engines: expected an integer >= 1, got ${o.count}`);
  return Array.from({ length: o.count }, (_, i) => {
    const name = `heal-${i + 1}`;
    const { command, args } = entryCommand('heal/service/main', [
      '--pipeline',
      o.pipelineFile,
      '--brokers',
      o.brokers.join(','),
      '--id',
      name,
      '--log-level',
      o.logLevel ?? 'info',
      ...(o.etcd && o.etcd.length > 0 ? ['--etcd', o.etcd.join(',')] : []),
    ]);
    return { name, command, args, env: o.env, readyPattern: /heal service started/, restart: 'transient' as const };
  });
}
