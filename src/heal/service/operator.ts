import type { Action } from '../../contracts/action.js';

/** Engine field of an operator's decision recorded on the actions topic: `operator:<who>`. */
export const OPERATOR_PREFIX = 'operator:';

/**
 * An operator's approval or rejection written to the actions topic (by an API that does not run the
 * engine itself, e.g. `faultline start --workers N`): the engine that holds the pending approval
 * applies it. Heal engines never record under this prefix.
 */
export function operatorDecision(
  a: Action,
): { id: string; verb: 'approve' | 'reject'; by: string; reason?: string } | null {
  if (!a.engine.startsWith(OPERATOR_PREFIX)) return null;
  if (a.decision !== 'approved' && a.decision !== 'rejected') return null;
  const by = a.engine.slice(OPERATOR_PREFIX.length) || 'operator';
  const reason = a.decision === 'rejected' ? a.reasons.at(-1) : undefined;
  return { id: a.id, verb: a.decision === 'approved' ? 'approve' : 'reject', by, ...(reason ? { reason } : {}) };
}

/** The operator's decision record for a pending action (same id, the operator as `engine`). */
export function operatorRecord(pending: Action, verb: 'approve' | 'reject', by: string, reason?: string): Action {
  const text =
    verb === 'approve' ? `approved by ${by} (through the API)` : `rejected by ${by}${reason ? `: ${reason}` : ''}`;
  return {
    ...pending,
    decision: verb === 'approve' ? 'approved' : 'rejected',
    reasons: [...pending.reasons, text],
    engine: `${OPERATOR_PREFIX}${by}`,
  };
}

/**
 * Operator decisions seen, remembered a while: an engine that takes over re-proposes a plan (same
 * action id) and can apply a decision the operator made while the old leader held the approval.
 */
export class OperatorDecisions {
  private readonly byId = new Map<string, NonNullable<ReturnType<typeof operatorDecision>>>();

  constructor(private readonly max = 1_000) {}

  remember(d: NonNullable<ReturnType<typeof operatorDecision>>): void {
    this.byId.delete(d.id);
    this.byId.set(d.id, d);
    if (this.byId.size > this.max) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
  }

  /** the remembered decisions for these pending ids (and forgets them) */
  take(pendingIds: Iterable<string>): Array<NonNullable<ReturnType<typeof operatorDecision>>> {
    const out = [];
    for (const id of pendingIds) {
      const d = this.byId.get(id);
      if (d) {
        this.byId.delete(id);
        out.push(d);
      }
    }
    return out;
  }
}
