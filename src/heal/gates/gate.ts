import type { Action, ApprovalMode } from '../../contracts/action.js';
import type { Fault } from '../../contracts/fault.js';

/** What a gate looks at: one proposed action, the plan it belongs to, and data time. */
export interface GateContext {
  action: Action;
  fault: Fault;
  /** every action of this decision (a supervision group restart is several), the action included */
  plan: readonly Action[];
  /** the supervision group of a target (undefined: in no group) */
  groupOf: (target: string) => string | undefined;
  /** true once an operator approved the action (semi-automatic mode) */
  approved: boolean;
  mode: ApprovalMode;
  now: number;
}

/**
 * A gate's answer. A denial says what to record and what happens next:
 * - decision 'skipped' with retryAt: deferred, tried again then (limits, silences, safe mode);
 * - decision 'skipped' or 'proposed' with hold 'recommend': recorded only (dry-run, manual mode);
 * - decision 'proposed' with hold 'approval': waits for an operator (semi-automatic mode);
 * - decision 'rejected': never allowed as planned; the ladder moves to its next rung.
 */
export type GateVerdict =
  | { allow: true; reasons: string[] }
  | {
      allow: false;
      gate: string;
      reasons: string[];
      decision: 'skipped' | 'proposed' | 'rejected';
      retryAt?: number;
      hold?: 'approval' | 'recommend';
    };

/** A small safety check. Gates only read state; the engine records what was done. */
export interface Gate {
  readonly name: string;
  check(ctx: GateContext): GateVerdict;
}

export const allow = (reason: string): GateVerdict => ({ allow: true, reasons: [reason] });

export function deny(
  gate: string,
  reason: string,
  decision: 'skipped' | 'proposed' | 'rejected',
  extra: { retryAt?: number; hold?: 'approval' | 'recommend' } = {},
): GateVerdict {
  return { allow: false, gate, reasons: [reason], decision, ...extra };
}

/** Paging a human disrupts nothing: limit gates let `escalate` through. */
export const isDisruptive = (a: Action) => a.strategy !== 'escalate';
