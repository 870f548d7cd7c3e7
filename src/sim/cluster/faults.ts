import { z } from 'zod';
import type { Strategy } from '../../contracts/action.js';
import type { GroupMode } from './topology.js';

/**
 * What can go wrong with a node:
 *  crash           the service dies (up 0, no metrics) until restarted or replaced
 *  memory_leak     memory climbs steadily; at ~97 % the process is OOM-killed (a crash): the impact
 *  disk_fill       disk climbs steadily (a process writing to files it deleted but holds open);
 *                  at 99 % writes fail: the impact
 *  cpu_saturation  a load surge pins the cpu; latency and timeouts follow; ends by itself later
 *  latency_spike   a noisy neighbour on the host: requests slow down several-fold; ends by itself later
 *  partition       the node is cut off from the majority (monitoring and clients included); heals later
 */
export const FaultKind = z.enum(['crash', 'memory_leak', 'disk_fill', 'cpu_saturation', 'latency_spike', 'partition']);
export type FaultKind = z.infer<typeof FaultKind>;

/** Resource-exhaustion faults: they have a precursor before their impact. */
export const EXHAUSTION_KINDS: readonly FaultKind[] = ['memory_leak', 'disk_fill'];

/** One fault to inject (a scenario's schedule entry). */
export const FaultSpec = z
  .object({
    kind: FaultKind,
    /** data time of the onset */
    at: z.number(),
    /** the node; `primary:<group>` = whichever member is that group's primary at the onset */
    target: z.string().min(1),
    /** memory_leak / disk_fill: data time from onset to impact (the rate is derived from it) */
    toImpactMs: z.number().positive().optional(),
    /** cpu_saturation / latency_spike / partition: how long until it ends by itself */
    durationMs: z.number().positive().optional(),
    /** latency_spike: latency multiplier */
    factor: z.number().min(1).optional(),
  })
  .strict();
export type FaultSpec = z.infer<typeof FaultSpec>;

/**
 * Which strategies can fix which fault (the simulator's physics, and the definition of a wrong action):
 *
 * | fault          | restart | reallocate | redistribute | throttle | failover | circuit_break |
 * | -------------- | ------- | ---------- | ------------ | -------- | -------- | ------------- |
 * | crash          | ✓       |            |              |          | ✓ (1)    |               |
 * | memory_leak    | ✓       |            |              |          | ✓ (1)    |               |
 * | disk_fill      | ✓ (2)   | ✓          |              |          | ✓ (1)    |               |
 * | cpu_saturation |         | ✓          | ✓            | ✓        | ✓ (1)    |               |
 * | latency_spike  |         | ✓          | ✓            |          | ✓ (1)    |               |
 * | partition      |         | ✓ (3)      | ✓ (3)        |          | ✓ (1)    | ✓ (3)         |
 *
 * (1) on the primary of a replicated group: the backup is promoted, the old primary rebuilt.
 * (2) restarting releases the space held by deleted-but-open files.
 * (3) on a pooled member: its traffic moves to its peers (a partitioned primary must be replaced).
 * `escalate` fixes nothing by itself: an operator repairs the node later (not automatic).
 */
export function canFix(kind: FaultKind, strategy: Strategy, mode: GroupMode, isPrimary: boolean): boolean {
  if (strategy === 'failover') return mode === 'replicated' && isPrimary;
  switch (kind) {
    case 'crash':
    case 'memory_leak':
      return strategy === 'restart';
    case 'disk_fill':
      return strategy === 'restart' || strategy === 'reallocate';
    case 'cpu_saturation':
      return strategy === 'reallocate' || strategy === 'redistribute' || strategy === 'throttle';
    case 'latency_spike':
      return strategy === 'reallocate' || strategy === 'redistribute';
    case 'partition':
      return (
        mode === 'pooled' && (strategy === 'reallocate' || strategy === 'redistribute' || strategy === 'circuit_break')
      );
  }
}

/** How a fault ended. */
export type RecoveredBy = 'action' | 'operator' | 'itself';

/** The ground truth of one injected fault, kept by the cluster as it plays out. */
export interface FaultTruth {
  id: string;
  kind: FaultKind;
  node: string;
  /** the node's group mode and whether it was its group's primary at the onset */
  mode: GroupMode;
  primary: boolean;
  onset: number;
  /** when the impact happens (exhaustion: when the resource runs out, projected at the onset; else the onset) */
  impactAt: number;
  /** when the impact did happen (undefined: prevented) */
  impactedAt: number | undefined;
  /** when it ends by itself (cpu_saturation, latency_spike, partition) */
  endsAt: number | undefined;
  /** first applied action that can fix it, and when it was applied */
  firstFixAt: number | undefined;
  firstFixStrategy: Strategy | undefined;
  /** when a human was paged about it */
  escalatedAt: number | undefined;
  /** when the node was serving normally again (or replaced), and how */
  recoveredAt: number | undefined;
  recoveredBy: RecoveredBy | undefined;
  recoveredWith: Strategy | undefined;
}
