import type { Action } from '../contracts/action.js';

/** An action plan waiting for an operator (semi-automatic mode). */
export interface PendingApproval {
  /** the plan's first action id: what an operator approves */
  id: string;
  caseId: string;
  plan: Action[];
  requestedAt: number;
  deadline: number;
}

/**
 * Pending approvals (StackStorm Inquiries), by action id. Each can be approved or rejected once;
 * past its deadline (data time) it expires, and the engine rejects and escalates it.
 */
export class ApprovalQueue {
  private readonly pending = new Map<string, PendingApproval>();

  add(p: PendingApproval): void {
    this.pending.set(p.id, p);
  }

  /** Finds by the plan's first action id or any action id of the plan. */
  get(actionId: string): PendingApproval | undefined {
    const direct = this.pending.get(actionId);
    if (direct) return direct;
    for (const p of this.pending.values()) if (p.plan.some((a) => a.id === actionId)) return p;
    return undefined;
  }

  /** Removes and returns it (approved, rejected, or no longer needed). */
  take(actionId: string): PendingApproval | undefined {
    const p = this.get(actionId);
    if (p) this.pending.delete(p.id);
    return p;
  }

  /** Removes and returns those whose deadline has passed. */
  expire(now: number): PendingApproval[] {
    const out: PendingApproval[] = [];
    for (const p of this.pending.values()) if (now >= p.deadline) out.push(p);
    for (const p of out) this.pending.delete(p.id);
    return out;
  }

  list(): PendingApproval[] {
    return [...this.pending.values()];
  }
}
