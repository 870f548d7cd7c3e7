/** An action the ledger tracks: executed and not yet verified = in flight ("under repair"). */
export interface LedgerEntry {
  id: string;
  target: string;
  group: string | undefined;
  startedAt: number;
  finishedAt: number | undefined;
}

/**
 * What the limit gates read: actions in flight (executed, outcome not verified yet) and when actions
 * started, per target and overall. Data time only; old finished entries are pruned.
 */
export class ActionLedger {
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly starts: number[] = [];
  private readonly lastByTarget = new Map<string, number>();

  begin(e: { id: string; target: string; group: string | undefined }, now: number): void {
    if (this.entries.has(e.id)) return;
    this.entries.set(e.id, { ...e, startedAt: now, finishedAt: undefined });
    this.starts.push(now);
    this.lastByTarget.set(e.target, Math.max(now, this.lastByTarget.get(e.target) ?? now));
  }

  finish(id: string, now: number): void {
    const e = this.entries.get(id);
    if (e && e.finishedAt === undefined) e.finishedAt = now;
  }

  isInFlight(id: string): boolean {
    const e = this.entries.get(id);
    return e !== undefined && e.finishedAt === undefined;
  }

  inFlight(): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => e.finishedAt === undefined);
  }

  /** Targets in flight in `group` (undefined = targets in no group). */
  inFlightTargets(group: string | undefined): Set<string> {
    const out = new Set<string>();
    for (const e of this.entries.values()) if (e.finishedAt === undefined && e.group === group) out.add(e.target);
    return out;
  }

  /** Starts within (now - periodMs, now], and the oldest of them. */
  startedWithin(now: number, periodMs: number): { count: number; oldest: number | undefined } {
    let count = 0;
    let oldest: number | undefined;
    for (const t of this.starts) {
      if (t > now - periodMs && t <= now) {
        count += 1;
        if (oldest === undefined || t < oldest) oldest = t;
      }
    }
    return { count, oldest };
  }

  lastActionAt(target: string): number | undefined {
    return this.lastByTarget.get(target);
  }

  /** Forgets finished entries and starts older than `horizonMs` before now. */
  prune(now: number, horizonMs: number): void {
    for (const [id, e] of this.entries)
      if (e.finishedAt !== undefined && e.finishedAt < now - horizonMs) this.entries.delete(id);
    const keep = this.starts.filter((t) => t >= now - horizonMs);
    this.starts.splice(0, this.starts.length, ...keep);
  }
}
