import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  noop,
  retry,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { Etcd3, GRPCUnavailableError, isRecoverableError } from 'etcd3';
import { CoordClosedError, CoordUnavailableError } from '../errors.js';
import { type EtcdSecurity, etcdSecurityOptions } from './security.js';

/** Errors after which the same call may succeed (another member, a new raft leader, a reconnect). */
export function isTransientEtcdError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    isRecoverableError(err) ||
    err instanceof TaskCancelledError ||
    err instanceof BrokenCircuitError ||
    /deadline|unavailable|ECONNREFUSED|ECONNRESET|no leader|leader changed|timed out|too many requests/i.test(
      err.message,
    )
  );
}

export interface EtcdCallsOptions {
  endpoints: string[];
  /** Deadline of one attempt of one call (ms). */
  callTimeoutMs: number;
  /** Attempts per call by default (1 = no retry). */
  attempts: number;
  /** Called after every successful call: proof that etcd (with quorum) answered. */
  onContact?: () => void;
  /** TLS and user auth (read from files and the environment here) */
  security?: EtcdSecurity;
}

/**
 * An etcd3 client whose every call has a deadline (~1 s) and is retried on transient errors with a
 * short exponential back-off (cockatiel), so nothing hangs for the 6-7 s etcd makes a request wait
 * while it has no raft leader. The client's own fault handling is replaced: no global retry, and a
 * per-host breaker that only skips members refusing connections.
 */
export class EtcdCalls {
  readonly client: Etcd3;
  private closed = false;

  constructor(private readonly opts: EtcdCallsOptions) {
    this.client = new Etcd3({
      hosts: opts.endpoints,
      ...etcdSecurityOptions(opts.security, opts.endpoints),
      dialTimeout: opts.callTimeoutMs,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: new Date(Date.now() + opts.callTimeoutMs) }),
      faultHandling: {
        global: noop,
        host: () =>
          circuitBreaker(
            handleWhen((e) => e instanceof GRPCUnavailableError),
            { halfOpenAfter: 500, breaker: new ConsecutiveBreaker(2) },
          ),
        // etcd3 declares IBackoff but calls .next() on it first, like its own default (an ExponentialBackoff).
        watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }) as unknown as IBackoff<unknown>,
      },
    });
  }

  get callTimeoutMs(): number {
    return this.opts.callTimeoutMs;
  }

  /**
   * Runs `fn` with a deadline per attempt and retries transient failures. After the last attempt a
   * transient failure becomes CoordUnavailableError (retriable); other errors pass through unchanged.
   */
  async call<T>(what: string, fn: (signal: AbortSignal) => Promise<T>, attempts = this.opts.attempts): Promise<T> {
    if (this.closed) throw new CoordClosedError();
    const policy = wrap(
      retry(handleWhen(isTransientEtcdError), {
        maxAttempts: Math.max(0, attempts - 1),
        backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 400 }),
      }),
      timeout(this.opts.callTimeoutMs + 100, TimeoutStrategy.Aggressive),
    );
    try {
      const out = await policy.execute(({ signal }) => fn(signal));
      this.opts.onContact?.();
      return out;
    } catch (err) {
      if (this.closed) throw new CoordClosedError();
      if (isTransientEtcdError(err)) {
        const msg =
          err instanceof TaskCancelledError ? `no answer within ${this.opts.callTimeoutMs} ms` : (err as Error).message;
        throw new CoordUnavailableError(`etcd ${what} failed: ${msg}`, { cause: err });
      }
      throw err;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }
}
