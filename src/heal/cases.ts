import type { Action, Strategy } from '../contracts/action.js';
import type { Fault } from '../contracts/fault.js';
import type { Incident } from './correlate.js';

/**
 * pending: a decision is due at `notBefore`; awaiting-approval: an operator must approve; verifying:
 * an action ran, its effect is being verified; recommended: dry-run or manual mode, nothing more to do
 * automatically; escalated: a human was paged; recovered / closed: over.
 */
export type CaseStatus =
  | 'pending'
  | 'awaiting-approval'
  | 'verifying'
  | 'recommended'
  | 'escalated'
  | 'recovered'
  | 'closed';

/** The engine's working state of one incident. */
export interface Case {
  id: string;
  incident: Incident;
  fault: Fault;
  status: CaseStatus;
  /** data time before which no new decision is made (group wait, back-off, deferral) */
  notBefore: number;
  /** attempts (rungs) used so far */
  attempt: number;
  /** rungs tried on this fault that did not help, with why */
  tried: Map<Strategy, string>;
  /** the plan being verified, or approved and waiting for the gates */
  current: { strategy: Strategy; plan: Action[]; approved: boolean } | undefined;
  /** gates that deferred the current attempt (one audit record per gate, not one per retry) */
  skippedBy: Set<string>;
  forceEscalate: boolean;
  /** deferred because this engine did not lead (or was in safe mode): due as soon as it leads */
  waitingForLeadership: boolean;
  /** root series still firing (source|metric) */
  rootFiring: Set<string>;
  closedAt: number | undefined;
  closedReason: string | undefined;
}

/** A read-only view of a case for the API and tests. */
export interface CaseView {
  id: string;
  status: CaseStatus;
  fault: Fault;
  attempt: number;
  notBefore: number;
  strategy: Strategy | undefined;
  tried: Partial<Record<Strategy, string>>;
  closedReason: string | undefined;
}

export function viewOf(c: Case): CaseView {
  return {
    id: c.id,
    status: c.status,
    fault: c.fault,
    attempt: c.attempt,
    notBefore: c.notBefore,
    strategy: c.current?.strategy,
    tried: Object.fromEntries(c.tried),
    closedReason: c.closedReason,
  };
}

export const isOpen = (c: Case) => c.status !== 'recovered' && c.status !== 'closed';
