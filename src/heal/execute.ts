import type { Action } from '../contracts/action.js';
import { NotLeaderError, RegistryConflictError, StaleTokenError } from '../coord/errors.js';
import type { Coordinator } from '../coord/types.js';
import type { Actuator, ActuatorResult } from './actuators/actuator.js';
import { type ActuatorExecutor, executorFailureRetriable } from './actuators/executor.js';
import type { GroupConfig } from './config.js';
import { isRetriable } from './errors.js';

export type StepResult =
  | { action: Action; ok: true; result: ActuatorResult; notes: string[] }
  | { action: Action; ok: false; retriable: boolean; reason: string; stale?: boolean };

export interface ExecuteDeps {
  coordinator: Coordinator;
  actuators: Readonly<Record<string, Actuator>>;
  executor: ActuatorExecutor;
  group: (name: string) => GroupConfig | undefined;
}

/**
 * Failover goes through the coordinator first: the registry (an etcd transaction on the etcd backend)
 * records the backup as primary only if the failed member still is, under this leadership's token — so
 * two engines can never promote two primaries. A promotion already done counts as done.
 */
async function promote(
  deps: ExecuteDeps,
  a: Action,
): Promise<{ ok: true; note: string } | Extract<StepResult, { ok: false }>> {
  const groupName = String(a.params['group'] ?? '');
  const to = String(a.params['destination'] ?? '');
  const group = deps.group(groupName);
  if (!group || a.fencingToken === null) {
    return { action: a, ok: false, retriable: false, reason: `failover: unknown group ${groupName} or no token` };
  }
  try {
    const entry = await deps.coordinator.primary(groupName);
    const current = entry?.primary ?? group.members[0];
    if (current === to) return { ok: true, note: `registry: ${to} is already the primary of ${groupName}` };
    if (current !== a.target) {
      return {
        action: a,
        ok: false,
        retriable: false,
        reason: `failover: the primary of ${groupName} is ${current}, not ${a.target}`,
      };
    }
    const e = await deps.coordinator.promote(groupName, to, a.fencingToken, { expectPrimary: entry ? a.target : null });
    return {
      ok: true,
      note: `registry: ${e.primary} promoted primary of ${groupName} (was ${e.previous ?? 'unset'}), token ${e.token}`,
    };
  } catch (err) {
    if (err instanceof RegistryConflictError) {
      const now = await deps.coordinator.primary(groupName).catch(() => undefined);
      if (now?.primary === to) return { ok: true, note: `registry: ${to} was already promoted by ${now.by}` };
    }
    const lost = err instanceof NotLeaderError || err instanceof StaleTokenError;
    return {
      action: a,
      ok: false,
      retriable: lost || isRetriable(err),
      reason: `failover: ${lost ? 'leadership lost: ' : ''}${(err as Error).message}`,
    };
  }
}

/**
 * Runs a plan's actions in order (dependencies first), each through its actuator with the executor's
 * policies. Stops at the first failure: later steps depend on earlier ones.
 */
export async function executePlan(deps: ExecuteDeps, plan: readonly Action[]): Promise<StepResult[]> {
  const out: StepResult[] = [];
  for (const a of plan) {
    const notes: string[] = [];
    if (a.strategy === 'failover') {
      const p = await promote(deps, a);
      if (!p.ok) {
        out.push(p);
        break;
      }
      notes.push(p.note);
    }
    const actuator = a.actuator ? deps.actuators[a.actuator] : undefined;
    if (!actuator) {
      out.push({ action: a, ok: false, retriable: false, reason: `no actuator named ${a.actuator ?? '(none)'}` });
      break;
    }
    try {
      const result = await deps.executor.run(actuator, a);
      out.push({ action: a, ok: true, result, notes });
    } catch (err) {
      out.push({
        action: a,
        ok: false,
        retriable: executorFailureRetriable(err),
        reason: `actuator ${actuator.name}: ${(err as Error).message}`,
        ...(err instanceof StaleTokenError ? { stale: true } : {}),
      });
      break;
    }
  }
  return out;
}
