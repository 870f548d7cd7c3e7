/**
 * Continuity of each consumed partition, so a stateful consumer knows when the state it derived
 * from a partition is still valid.
 *
 * - `warm`: the batch starts where the previous one of this process ended → state is current.
 * - `cold`: first batch since the partition was assigned, or the offsets jumped forward (someone
 *   else processed the gap, e.g. after this member was fenced out of the group) → state derived
 *   from the partition must be dropped and rebuilt.
 * - messages below the next expected offset were already processed and acknowledged by this
 *   process (a redelivery after a lost commit) and are skipped.
 * - while replaying (after a rebuild seek), messages below `replayUntil` were already processed
 *   and committed before; they only rebuild state.
 *
 * Pure bookkeeping: no I/O, offsets as bigint.
 */
export interface OffsetMessage {
  offset: string;
}

interface PartitionState {
  next: bigint;
  replayUntil: bigint | null;
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class PartitionTracker {
  private readonly parts = new Map<string, PartitionState>();

  /** 'cold' when state derived from this partition can't be trusted any more */
  check(topic: string, partition: number, firstOffset: string): { cold: false } | { cold: true; reason: string } {
    const st = this.parts.get(tpKey(topic, partition));
    if (!st) return { cold: true, reason: 'newly assigned' };
    const first = BigInt(firstOffset);
    if (first > st.next) return { cold: true, reason: `offsets jumped from ${st.next} to ${first}` };
    return { cold: false };
  }

  /** start tracking from `from`; messages below `replayUntil` are replays */
  start(topic: string, partition: number, from: string | bigint, replayUntil: string | bigint | null = null): void {
    const next = BigInt(from);
    const until = replayUntil === null ? null : BigInt(replayUntil);
    this.parts.set(tpKey(topic, partition), { next, replayUntil: until !== null && until > next ? until : null });
  }

  /** split a batch into already-processed (dropped), replay and live messages */
  split<M extends OffsetMessage>(topic: string, partition: number, messages: M[]): { replay: M[]; live: M[] } {
    const st = this.parts.get(tpKey(topic, partition));
    if (!st) return { replay: [], live: messages };
    let i = 0;
    const first = messages[0];
    if (first !== undefined && BigInt(first.offset) < st.next) {
      while (i < messages.length && BigInt((messages[i] as M).offset) < st.next) i++;
    }
    if (st.replayUntil === null) return { replay: [], live: i === 0 ? messages : messages.slice(i) };
    let j = i;
    while (j < messages.length && BigInt((messages[j] as M).offset) < st.replayUntil) j++;
    return { replay: messages.slice(i, j), live: messages.slice(j) };
  }

  /** the batch up to `lastOffset` is done (outputs acknowledged) */
  advance(topic: string, partition: number, lastOffset: string): void {
    const st = this.parts.get(tpKey(topic, partition));
    const next = BigInt(lastOffset) + 1n;
    if (!st) {
      this.parts.set(tpKey(topic, partition), { next, replayUntil: null });
      return;
    }
    if (next > st.next) st.next = next;
    if (st.replayUntil !== null && st.next >= st.replayUntil) st.replayUntil = null;
  }

  replaying(topic: string, partition: number): boolean {
    return this.parts.get(tpKey(topic, partition))?.replayUntil != null;
  }

  /** forget partitions not in the new assignment; returns the forgotten ones */
  retain(assignment: Record<string, number[]>): Array<{ topic: string; partition: number }> {
    const keep = new Set<string>();
    for (const [topic, ps] of Object.entries(assignment)) for (const p of ps) keep.add(tpKey(topic, p));
    const dropped: Array<{ topic: string; partition: number }> = [];
    for (const key of [...this.parts.keys()]) {
      if (keep.has(key)) continue;
      this.parts.delete(key);
      const [topic, p] = key.split('\u0000') as [string, string];
      dropped.push({ topic, partition: Number(p) });
    }
    return dropped;
  }
}
