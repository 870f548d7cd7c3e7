import type { HealConfig } from './config.js';

export type RedundancyMode = 'n-way-quorum' | 'active-active' | 'active-passive' | 'geographic';

/**
 * The redundancy a node deserves by its risk score (0..1), thresholds configurable:
 * ≥ quorum (0.85): N-way quorum replication for Byzantine-type faults, active-active otherwise;
 * ≥ activeActive (0.70): active-active with many dependents, active-passive with few;
 * ≥ activePassive (0.50): active-passive; below: geographic redundancy.
 */
export function chooseRedundancy(
  risk: number,
  node: { byzantine: boolean; dependents: number },
  t: HealConfig['redundancy'],
): { mode: RedundancyMode; reason: string } {
  const r = risk.toFixed(2);
  if (risk >= t.quorum) {
    return node.byzantine
      ? { mode: 'n-way-quorum', reason: `risk ${r} ≥ ${t.quorum} and a Byzantine-type fault: N-way quorum replication` }
      : { mode: 'active-active', reason: `risk ${r} ≥ ${t.quorum}: active-active` };
  }
  if (risk >= t.activeActive) {
    return node.dependents >= t.manyDependents
      ? {
          mode: 'active-active',
          reason: `risk ${r} ≥ ${t.activeActive} with ${node.dependents} dependents: active-active`,
        }
      : {
          mode: 'active-passive',
          reason: `risk ${r} ≥ ${t.activeActive} with ${node.dependents} dependents: active-passive`,
        };
  }
  if (risk >= t.activePassive)
    return { mode: 'active-passive', reason: `risk ${r} ≥ ${t.activePassive}: active-passive` };
  return { mode: 'geographic', reason: `risk ${r} < ${t.activePassive}: geographic redundancy` };
}
