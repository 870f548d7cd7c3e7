import { StaleTokenError } from './errors.js';
import { parseToken } from './token.js';

/**
 * What an actuator keeps to reject actions from a deposed leader (etcd's advice for lease-based locks):
 * it remembers the newest fencing token it has seen and refuses any older one. Equal tokens pass (one
 * leadership issues many actions).
 */
export class FencingGuard {
  private newestSeen: number | undefined;

  constructor(private readonly name = 'actuator') {}

  /** Accepts `token` when it is not older than the newest seen (and records it); else throws StaleTokenError. */
  check(token: unknown): number {
    const t = parseToken(token, `${this.name} fencing token`);
    if (this.newestSeen !== undefined && t < this.newestSeen) {
      throw new StaleTokenError(t, this.newestSeen, `rejected by ${this.name}`);
    }
    this.newestSeen = t;
    return t;
  }

  /** Like check() but returns false instead of throwing. */
  accepts(token: unknown): boolean {
    try {
      this.check(token);
      return true;
    } catch {
      return false;
    }
  }

  /** The newest token seen so far. */
  newest(): number | undefined {
    return this.newestSeen;
  }
}
