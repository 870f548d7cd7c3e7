import type { GroupConfig } from './config.js';
import type { DependencyGraph } from './graph.js';

/**
 * The members an OTP-style supervisor restarts when `target` fails: one_for_one only the target,
 * all_for_one the whole group, rest_for_one the target and the members started after it. In start order.
 */
export function supervisionSet(group: GroupConfig | undefined, target: string): string[] {
  if (!group) return [target];
  const idx = group.members.indexOf(target);
  if (idx < 0) return [target];
  switch (group.supervision) {
    case 'one_for_one':
      return [target];
    case 'all_for_one':
      return [...group.members];
    case 'rest_for_one':
      return group.members.slice(idx);
  }
}

export interface RecoveryPlan {
  /** targets to act on, dependencies before their dependents */
  targets: string[];
  reasons: string[];
}

/**
 * The ordered targets of a recovery at `target`: its supervision set, plus (when the group asks for
 * it) everything that depends on those members, ordered by the dependency graph so a database is
 * recovered before the services that use it; otherwise in start order.
 */
export function recoveryPlan(group: GroupConfig | undefined, graph: DependencyGraph, target: string): RecoveryPlan {
  const set = supervisionSet(group, target);
  const reasons: string[] = [];
  if (group && set.length > 1) reasons.push(`group ${group.name} is ${group.supervision}: ${set.join(', ')}`);
  const all = [...set];
  if (group?.restartDependents) {
    for (const m of set) for (const d of graph.allDependents(m)) if (!all.includes(d)) all.push(d);
    if (all.length > set.length) reasons.push(`dependents follow: ${all.slice(set.length).join(', ')}`);
  }
  const targets = graph.order(all);
  if (targets.join() !== all.join()) reasons.push(`dependency order: ${targets.join(' → ')}`);
  return { targets, reasons };
}
