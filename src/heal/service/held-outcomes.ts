import type { Outcome } from '../../contracts/outcome.js';

/**
 * Outcomes a standby verified itself (it watches the leader's actions too), held back instead of
 * published: the leader publishes its own. Dropped when the leader's outcome for the same action id
 * shows up on the outcomes topic; released (published) when this engine takes over, so a verdict the
 * dead leader never published is not lost. Bounded: the oldest go first.
 */
export class HeldOutcomes {
  private readonly held = new Map<string, Outcome>();
  /** action ids whose outcome is known to be published (by anyone) */
  private readonly published = new Set<string>();

  constructor(private readonly max = 10_000) {}

  /** keeps `o` unless its outcome was published already */
  hold(o: Outcome): void {
    if (this.published.has(o.actionId)) return;
    this.held.set(o.actionId, o);
    if (this.held.size > this.max) {
      const oldest = this.held.keys().next().value;
      if (oldest !== undefined) this.held.delete(oldest);
    }
  }

  /** the outcome of `actionId` is on the topic */
  seen(actionId: string): void {
    this.held.delete(actionId);
    this.published.add(actionId);
    if (this.published.size > this.max) {
      const oldest = this.published.values().next().value;
      if (oldest !== undefined) this.published.delete(oldest);
    }
  }

  /** takes every held outcome (to publish now) */
  release(): Outcome[] {
    const out = [...this.held.values()];
    this.held.clear();
    return out;
  }

  get size(): number {
    return this.held.size;
  }
}
