/** Typed errors of the coordinator. `retriable` says whether the same call may succeed if tried again. */

export abstract class CoordError extends Error {
  abstract readonly retriable: boolean;
}

/** The caller does not hold leadership (never had it, lost it, or resigned). Only the leader may act. */
export class NotLeaderError extends CoordError {
  readonly retriable = false;
  override readonly name = 'NotLeaderError';
}

/** A fencing token older than the newest one seen: the leadership that issued it is over. */
export class StaleTokenError extends CoordError {
  readonly retriable = false;
  override readonly name = 'StaleTokenError';
  constructor(
    readonly token: number,
    readonly newest: number,
    context = '',
  ) {
    super(
      `fencing token ${token} is stale: a newer leadership (token ${newest}) exists${context ? `; ${context}` : ''}`,
    );
  }
}

/** A fencing token that is not a positive safe integer. */
export class InvalidTokenError extends CoordError {
  readonly retriable = false;
  override readonly name = 'InvalidTokenError';
}

/**
 * Coordination is not possible right now: etcd unreachable, quorum lost, or a call ran past its deadline.
 * The coordinator is in (or close to) safe mode; retry after it recovers.
 */
export class CoordUnavailableError extends CoordError {
  readonly retriable = true;
  override readonly name = 'CoordUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The registry changed under the caller (e.g. the expected primary is no longer primary). */
export class RegistryConflictError extends CoordError {
  override readonly name = 'RegistryConflictError';
  constructor(
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** A call's arguments are invalid (the message names the field). */
export class CoordRequestError extends CoordError {
  readonly retriable = false;
  override readonly name = 'CoordRequestError';
}

/** The coordinator configuration is invalid (field named in the message). */
export class CoordConfigError extends CoordError {
  readonly retriable = false;
  override readonly name = 'CoordConfigError';
}

/** The coordinator was closed; create a new one. */
export class CoordClosedError extends CoordError {
  readonly retriable = false;
  override readonly name = 'CoordClosedError';
  constructor() {
    super('the coordinator is closed');
  }
}
