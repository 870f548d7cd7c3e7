import { setTimeout as sleep } from 'node:timers/promises';
import type { EtcdCalls } from './client.js';
import { grantLease, keepAliveOnce, revokeLease } from './lease.js';

export interface SessionOptions {
  ttlSeconds: number;
  /** Time between successful keep-alives (default TTL / 3, like etcd's Go client). */
  keepAliveIntervalMs: number;
  /** Demote this long before the lease could expire when keep-alives stop succeeding (Patroni style). */
  demoteMarginMs: number;
  /** Pause before retrying a failed keep-alive. */
  retryDelayMs: number;
}

/**
 * A lease kept alive by this process (etcd's concurrency.Session). It *dies* when etcd says the lease is
 * gone, or - before that can happen unnoticed - when no keep-alive has succeeded for TTL minus the safety
 * margin: the lease may still exist in etcd, but this process stops relying on it before it can expire.
 * The expiry estimate is conservative: it counts the TTL from when the successful keep-alive was *sent*.
 */
export class Session {
  private lastOkSentAt: number;
  private ttlMs: number;
  private deathReason: string | undefined;
  private resolveDeath: (reason: string) => void = () => {};
  private readonly death = new Promise<string>((resolve) => {
    this.resolveDeath = resolve;
  });
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError: string | undefined;

  private constructor(
    private readonly calls: EtcdCalls,
    readonly leaseId: string,
    grantedTtl: number,
    sentAt: number,
    private readonly opts: SessionOptions,
  ) {
    this.lastOkSentAt = sentAt;
    this.ttlMs = grantedTtl * 1000;
  }

  /** Grants a lease and starts keeping it alive. */
  static async open(calls: EtcdCalls, opts: SessionOptions): Promise<Session> {
    const sentAt = performance.now();
    const { id, ttl } = await grantLease(calls, opts.ttlSeconds);
    const session = new Session(calls, id, ttl, sentAt, opts);
    session.armDemoteTimer();
    void session.keepAliveLoop();
    return session;
  }

  /** The lease id as etcd's hex key suffix (like the Go client's `fmt.Sprintf("%x", leaseID)`). */
  get leaseHex(): string {
    return BigInt(this.leaseId).toString(16);
  }

  /**
   * Monotonic time (performance.now() ms) after which this session must not be relied on: the expiry
   * estimate minus the margin. Monotonic, so a wall-clock step cannot stretch a leadership.
   */
  safeUntil(): number {
    return this.lastOkSentAt + this.ttlMs - this.opts.demoteMarginMs;
  }

  /** True while the lease is certainly alive (checked against the clock, not just timers). */
  alive(): boolean {
    if (this.deathReason !== undefined) return false;
    if (performance.now() >= this.safeUntil()) {
      this.die(this.expiryReason());
      return false;
    }
    return true;
  }

  /** Why the session died, undefined while alive. */
  get diedBecause(): string | undefined {
    return this.deathReason;
  }

  /** Resolves with the reason when the session dies (at once if it already has). */
  died(): Promise<string> {
    return this.death;
  }

  /** Stops keeping the lease alive; with `revoke`, also deletes it (and its keys) in etcd. */
  async close(revoke: boolean): Promise<void> {
    this.stopped = true;
    this.die('session closed');
    if (revoke) await revokeLease(this.calls, this.leaseId);
  }

  private expiryReason(): string {
    const silentMs = performance.now() - this.lastOkSentAt;
    return (
      `no successful lease keep-alive for ${silentMs} ms (TTL ${this.ttlMs / 1000} s): ` +
      `stepping down ${this.opts.demoteMarginMs} ms before the lease could expire` +
      (this.lastError ? ` (last error: ${this.lastError})` : '')
    );
  }

  private die(reason: string): void {
    if (this.deathReason !== undefined) return;
    this.deathReason = reason;
    clearTimeout(this.timer);
    this.resolveDeath(reason);
  }

  private armDemoteTimer(): void {
    clearTimeout(this.timer);
    if (this.deathReason !== undefined) return;
    const wait = Math.max(0, this.safeUntil() - performance.now());
    this.timer = setTimeout(() => this.alive(), wait + 1);
    this.timer.unref?.();
  }

  private async keepAliveLoop(): Promise<void> {
    let wait = this.opts.keepAliveIntervalMs;
    while (!this.stopped && this.deathReason === undefined) {
      await sleep(wait, undefined, { ref: false });
      if (this.stopped || !this.alive()) return;
      const sentAt = performance.now();
      try {
        const ttl = await this.calls.call(
          'lease keep-alive',
          (signal) => keepAliveOnce(this.calls, this.leaseId, signal),
          1,
        );
        if (this.stopped) return;
        if (ttl <= 0) {
          this.die('the lease expired in etcd (keep-alive answered TTL 0)');
          return;
        }
        this.lastOkSentAt = sentAt;
        this.ttlMs = ttl * 1000;
        this.lastError = undefined;
        this.armDemoteTimer();
        wait = this.opts.keepAliveIntervalMs;
      } catch (err) {
        this.lastError = (err as Error).message;
        wait = this.opts.retryDelayMs;
      }
    }
  }
}
