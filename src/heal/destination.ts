/** A place load can move to, with what is known about it. */
export interface Destination {
  id: string;
  /** e.g. CPU %; undefined = unknown */
  load?: number | undefined;
  latencyMs?: number | undefined;
}

export type DestinationPolicy = 'least-loaded' | 'lowest-latency' | 'round-robin';

/**
 * Chooses where reallocated load goes. least-loaded / lowest-latency pick the smallest known value
 * (unknown values last, ties by id); round-robin cycles through the candidates (sorted by id) per key.
 */
export class DestinationPicker {
  private readonly cursor = new Map<string, number>();

  constructor(private readonly policy: DestinationPolicy) {}

  pick(candidates: readonly Destination[], key = ''): { id: string; reason: string } | undefined {
    if (candidates.length === 0) return undefined;
    const byId = [...candidates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (this.policy === 'round-robin') {
      const i = this.cursor.get(key) ?? 0;
      this.cursor.set(key, i + 1);
      const d = byId[i % byId.length] as Destination;
      return { id: d.id, reason: `round-robin: ${d.id} (${(i % byId.length) + 1} of ${byId.length})` };
    }
    const value = (d: Destination) => (this.policy === 'least-loaded' ? d.load : d.latencyMs);
    const ranked = byId
      .map((d) => ({ d, v: value(d) }))
      .sort((a, b) => (a.v ?? Number.POSITIVE_INFINITY) - (b.v ?? Number.POSITIVE_INFINITY));
    const best = ranked[0] as { d: Destination; v: number | undefined };
    const what = this.policy === 'least-loaded' ? 'load' : 'latency';
    return {
      id: best.d.id,
      reason: `${this.policy}: ${best.d.id} (${what} ${best.v === undefined ? 'unknown' : best.v})`,
    };
  }
}
