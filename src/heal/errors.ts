/** Typed errors of the heal engine. `retriable` says whether the same call may succeed if tried again. */

export abstract class HealError extends Error {
  abstract readonly retriable: boolean;
}

/** The heal configuration is invalid (the message names the field). */
export class HealConfigError extends HealError {
  readonly retriable = false;
  override readonly name = 'HealConfigError';
}

/** An input (event, outcome, approval) failed validation; the message names the field. */
export class HealInputError extends HealError {
  readonly retriable = false;
  override readonly name = 'HealInputError';
}

/** An actuator refused an action for good (bad parameters, not allowlisted, HTTP 4xx). */
export class ActuatorRejectedError extends HealError {
  readonly retriable = false;
  override readonly name = 'ActuatorRejectedError';
  constructor(
    readonly actuator: string,
    message: string,
  ) {
    super(`${actuator}: ${message}`);
  }
}

/** An actuator could not be reached or failed transiently (network, HTTP 5xx, timeout): retry may help. */
export class ActuatorUnavailableError extends HealError {
  readonly retriable = true;
  override readonly name = 'ActuatorUnavailableError';
  constructor(
    readonly actuator: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${actuator}: ${message}`, options);
  }
}

/** No pending approval with that id (unknown, already decided, or timed out). */
export class ApprovalNotFoundError extends HealError {
  readonly retriable = false;
  override readonly name = 'ApprovalNotFoundError';
}

/** Whether an error says a retry may help (`retriable: true` on our typed errors and the coordinator's). */
export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}
