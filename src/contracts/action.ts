import { z } from 'zod';
import { SCHEMA_VERSION } from './version.js';

/** Remediation strategies the heal engine knows. `escalate` pages a human. */
export const Strategy = z.enum([
  'restart',
  'reallocate',
  'failover',
  'circuit_break',
  'throttle',
  'redistribute',
  'escalate',
]);
export type Strategy = z.infer<typeof Strategy>;

/** automatic: act; semi-automatic: wait for approval (timeout escalates); manual: recommend only. */
export const ApprovalMode = z.enum(['automatic', 'semi-automatic', 'manual']);
export type ApprovalMode = z.infer<typeof ApprovalMode>;

/**
 * proposed: recommended or waiting for approval; approved: approved, about to run; rejected: refused
 * (by an operator, an approval timeout, or the actuator); executed: the actuator accepted it;
 * skipped: not run now (a gate, dry-run, safe mode) — the reasons say why and whether it is retried.
 */
export const Decision = z.enum(['proposed', 'approved', 'rejected', 'executed', 'skipped']);
export type Decision = z.infer<typeof Decision>;

/**
 * One record of the append-only audit trail on `faultline.actions`. `id` is deterministic (fault,
 * strategy, target, attempt), so the records of one action share it as its decision moves on
 * (proposed → approved → executed), and an actuator can use it as an idempotency key: two engines
 * deciding the same action produce the same id.
 */
export const Action = z.object({
  v: z.literal(SCHEMA_VERSION),
  id: z.string(),
  faultId: z.string(),
  strategy: Strategy,
  target: z.string(),
  params: z.record(z.string(), z.unknown()),
  /** fencing token of the leadership that decided it; null when there is none (standby, safe mode) */
  fencingToken: z.number().int().positive().nullable(),
  mode: ApprovalMode,
  decision: Decision,
  reasons: z.array(z.string()),
  dryRun: z.boolean(),
  /** data time of the decision */
  ts: z.number(),
  /** 1 for the first rung tried on this fault, 2 for the next ... */
  attempt: z.number().int().positive(),
  /** engine (coordinator id) that recorded it */
  engine: z.string(),
  /** actuator that ran (or would run) it */
  actuator: z.string().optional(),
});
export type Action = z.infer<typeof Action>;
