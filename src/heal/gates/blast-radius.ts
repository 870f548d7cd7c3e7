import type { GroupConfig } from '../config.js';
import type { ActionLedger } from '../ledger.js';
import { allow, deny, type Gate, isDisruptive } from './gate.js';

/** Members of a group that may be under action at once: `maxUnavailablePercent` of it, at least one. */
export function allowedInGroup(group: GroupConfig): number {
  return Math.max(1, Math.floor((group.members.length * group.maxUnavailablePercent) / 100));
}

/**
 * Blast radius (Kubernetes disruption budgets, FBAR): never act on more than X % of a group at once,
 * counting targets in flight and the plan's. Targets in no group share `maxUngrouped`. A plan that alone
 * exceeds the budget (an all-for-one restart of a large group) is rejected, so the ladder escalates.
 */
export function blastRadiusGate(
  ledger: ActionLedger,
  groups: readonly GroupConfig[],
  maxUngrouped: number,
  retryEveryMs: number,
): Gate {
  const byName = new Map(groups.map((g) => [g.name, g]));
  return {
    name: 'blast-radius',
    check(ctx) {
      if (!isDisruptive(ctx.action)) return allow('blast radius: not disruptive');
      const planBy = new Map<string | undefined, Set<string>>();
      for (const a of ctx.plan.filter(isDisruptive)) {
        const g = ctx.groupOf(a.target);
        const set = planBy.get(g) ?? new Set<string>();
        set.add(a.target);
        planBy.set(g, set);
      }
      const notes: string[] = [];
      for (const [g, planned] of planBy) {
        const group = g === undefined ? undefined : byName.get(g);
        const limit = group ? allowedInGroup(group) : maxUngrouped;
        const label = group
          ? `group ${group.name} (${group.members.length} members, ${group.maxUnavailablePercent}%)`
          : 'ungrouped targets';
        if (planned.size > limit) {
          return deny(
            'blast-radius',
            `blast radius: the plan touches ${planned.size} of ${label}; at most ${limit} at once`,
            'rejected',
          );
        }
        const busy = ledger.inFlightTargets(g);
        const union = new Set([...busy, ...planned]);
        if (union.size > limit) {
          return deny(
            'blast-radius',
            `blast radius: ${busy.size} of ${label} under action; at most ${limit} at once`,
            'skipped',
            { retryAt: ctx.now + retryEveryMs },
          );
        }
        notes.push(`${label}: ${union.size} ≤ ${limit}`);
      }
      return allow(`blast radius: ${notes.join('; ') || 'nothing disruptive'}`);
    },
  };
}
