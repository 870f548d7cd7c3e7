import type { Action, ApprovalMode, Decision, Strategy } from '../contracts/action.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { actionId } from './ids.js';
import type { PlannedStep } from './strategies.js';

export interface RecordContext {
  faultId: string;
  attempt: number;
  fencingToken: number | null;
  mode: ApprovalMode;
  dryRun: boolean;
  engine: string;
  now: number;
  actuatorFor: (strategy: Strategy, target: string) => string;
}

/** The proposed Action records of a plan (deterministic ids: fault, strategy, target, attempt). */
export function proposeActions(steps: readonly PlannedStep[], reasons: readonly string[], c: RecordContext): Action[] {
  return steps.map((s) => ({
    v: SCHEMA_VERSION,
    id: actionId(c.faultId, s.strategy, s.target, c.attempt),
    faultId: c.faultId,
    strategy: s.strategy,
    target: s.target,
    params: s.params,
    fencingToken: c.fencingToken,
    mode: c.mode,
    decision: 'proposed',
    reasons: [...reasons],
    dryRun: c.dryRun,
    ts: c.now,
    attempt: c.attempt,
    engine: c.engine,
    actuator: c.actuatorFor(s.strategy, s.target),
  }));
}

/** A new audit record of an action: same id, a new decision, more reasons, the time of this decision. */
export function withDecision(a: Action, decision: Decision, reasons: readonly string[], now: number): Action {
  return { ...a, decision, reasons: [...a.reasons, ...reasons], ts: now };
}
