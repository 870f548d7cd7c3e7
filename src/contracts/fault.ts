import { z } from 'zod';
import { Severity } from './anomaly.js';
import { SCHEMA_VERSION } from './version.js';

/** What kind of fault an incident is, decided by the classification rules of the pipeline. */
export const FaultType = z.enum([
  'node_failure',
  'performance_degradation',
  'resource_exhaustion',
  'network_partition',
  'service_unavailability',
  'data_corruption',
]);
export type FaultType = z.infer<typeof FaultType>;

/** One piece of evidence: an anomaly event that contributed to the fault. */
export const FaultEvidence = z.object({
  eventId: z.string(),
  source: z.string(),
  metric: z.string(),
  ts: z.number(),
  score: z.number().min(0).max(1),
  value: z.number().nullable(),
  expected: z.number().nullable(),
});
export type FaultEvidence = z.infer<typeof FaultEvidence>;

/**
 * An incident: anomalies on one or more sources that share a probable cause. `id` is deterministic
 * (root and onset), so a replay or a second engine names the same incident the same way. The record
 * is re-published with the same id when symptoms join.
 */
export const Fault = z.object({
  v: z.literal(SCHEMA_VERSION),
  id: z.string(),
  type: FaultType,
  severity: Severity,
  /** 1 (most urgent) .. 5 */
  priority: z.number().int().min(1).max(5),
  /** what the engine acts on (the root, or the root's supervision group) */
  targets: z.array(z.string()).min(1),
  /** the probable cause: the deepest failing dependency among the alarming sources */
  root: z.string(),
  /** alarming sources explained by the root (cascade), root excluded */
  symptoms: z.array(z.string()),
  /** the highest anomaly score seen (a proxy for risk, 0..1) */
  risk: z.number().min(0).max(1),
  /** classification rule that typed the root's anomaly */
  rule: z.string(),
  /** data time of the first anomaly of the incident, and of the latest */
  openedAt: z.number(),
  ts: z.number(),
  evidence: z.object({
    eventIds: z.array(z.string()),
    metrics: z.array(FaultEvidence),
  }),
  /** why this root and type: the correlation and classification reasoning */
  reasons: z.array(z.string()),
});
export type Fault = z.infer<typeof Fault>;
