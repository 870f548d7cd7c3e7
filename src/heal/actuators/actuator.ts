import type { Action } from '../../contracts/action.js';

/** What an actuator reports back when it accepted an action. */
export interface ActuatorResult {
  /** what the managed system answered (status, body, exit code ...), recorded in the audit */
  details: Record<string, unknown>;
  /** set when the system reports the outcome at once; otherwise metric verification decides */
  success?: boolean;
  /** true when the system had already seen this action id (idempotent replay, nothing done twice) */
  duplicate?: boolean;
}

/**
 * Something that carries out actions on the managed system. Every implementation checks the action's
 * fencing token with a FencingGuard and rejects a stale one (StaleTokenError, not retriable), so an
 * engine that lost leadership cannot act. Errors carry `retriable`.
 */
export interface Actuator {
  readonly name: string;
  readonly kind: string;
  execute(action: Action, ctx?: { signal?: AbortSignal }): Promise<ActuatorResult>;
}
