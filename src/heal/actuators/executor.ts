import {
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import type { Action } from '../../contracts/action.js';
import type { HealConfig } from '../config.js';
import { isRetriable } from '../errors.js';
import type { Actuator, ActuatorResult } from './actuator.js';

/** Transient failures: our retriable errors and a timed-out attempt. */
function transient(err: Error): boolean {
  return isRetriable(err) || err instanceof TaskCancelledError;
}

/**
 * Whether a failure out of the executor may pass if tried later (the engine defers the fault) or is
 * final (the engine records the action as rejected and escalates).
 */
export function executorFailureRetriable(err: unknown): boolean {
  return transient(err as Error) || err instanceof BrokenCircuitError || err instanceof BulkheadRejectedError;
}

/**
 * Runs actuator calls through cockatiel policies, one set per actuator, composed like
 * `wrap(bulkhead, retry, breaker, timeout)`: at most `bulkhead` calls at once (then a queue), retries of
 * transient failures with exponential back-off, a circuit breaker that opens after consecutive
 * transient failures (stale tokens and refusals never count), and a timeout per attempt.
 */
export class ActuatorExecutor {
  private readonly policies = new Map<string, IPolicy>();

  constructor(private readonly cfg: HealConfig['executor']) {}

  private policyFor(name: string): IPolicy {
    let p = this.policies.get(name);
    if (!p) {
      const c = this.cfg;
      p = wrap(
        bulkhead(c.bulkhead, c.queue),
        retry(handleWhen(transient), {
          maxAttempts: c.retries,
          backoff: new ExponentialBackoff({ initialDelay: c.retryInitial, maxDelay: Math.max(c.retryInitial, 30_000) }),
        }),
        circuitBreaker(handleWhen(transient), {
          halfOpenAfter: c.breakerHalfOpenAfter,
          breaker: new ConsecutiveBreaker(c.breakerFailures),
        }),
        timeout(c.timeout, TimeoutStrategy.Aggressive),
      );
      this.policies.set(name, p);
    }
    return p;
  }

  run(actuator: Actuator, action: Action): Promise<ActuatorResult> {
    return this.policyFor(actuator.name).execute(({ signal }) => actuator.execute(action, { signal }));
  }
}
