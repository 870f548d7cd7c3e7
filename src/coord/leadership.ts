import type { LeadershipEvent } from './types.js';

/** Listeners of leadership changes; emits only when the leader flag or token actually changes. */
export class LeadershipNotifier {
  private readonly listeners = new Set<(e: LeadershipEvent) => void>();
  private last: { leader: boolean; token: number | undefined } = { leader: false, token: undefined };

  subscribe(cb: (e: LeadershipEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Publishes the new state when it differs from the last one published. */
  update(leader: boolean, token: number | undefined, reason: string): void {
    const tok = leader ? token : undefined;
    if (this.last.leader === leader && this.last.token === tok) return;
    this.last = { leader, token: tok };
    const event: LeadershipEvent = { leader, token: tok, reason, at: Date.now() };
    for (const cb of [...this.listeners]) {
      try {
        cb(event);
      } catch {
        // a listener's failure must not break the coordinator
      }
    }
  }

  /** Resolves with the token the next time (or now, if) `isLeader()` holds. */
  whenLeader(current: () => number | undefined, timeoutMs: number, onTimeout: () => Error): Promise<number> {
    const now = current();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(onTimeout());
      }, timeoutMs);
      const off = this.subscribe((e) => {
        if (e.leader && e.token !== undefined) {
          clearTimeout(timer);
          off();
          resolve(e.token);
        }
      });
    });
  }
}
