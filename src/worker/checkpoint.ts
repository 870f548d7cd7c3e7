import type { Message } from 'kafkajs';
import { describeError } from '../transport/errors.js';
import type { Log } from '../transport/log.js';
import type { BatchedProducer } from '../transport/producer.js';
import { CHANGELOG_VERSION, markerKey, statePartition } from './changelog-record.js';
import type { SeriesTable } from './series-table.js';

export interface CheckpointerOptions {
  /** a producer of its own: large checkpoints must not queue in front of score batches */
  producer: BatchedProducer;
  topic: string;
  statePartitions: number;
  table: SeriesTable<unknown>;
  log: Log;
  /** the consumer group generation (bumped on every join) */
  generation(): number;
  /** whether this member holds `partition` now */
  owns(partition: number): boolean;
  /** give up on a checkpoint whose input was not delivered within this time (default 60 s) */
  deliveryTimeoutMs?: number;
  now?: () => number;
}

export interface CheckpointStats {
  /** partition checkpoints written (markers) */
  checkpoints: number;
  /** series records written (including tombstones) */
  checkpointRecords: number;
  checkpointBytes: number;
  checkpointFailures: number;
}

interface PartitionProgress {
  /** last input offset applied to the partition's series states (-1: none) */
  processed: number;
  /** every input offset up to here has its outputs delivered (committed) */
  delivered: number;
  /** offset covered by the newest checkpoint in the changelog */
  written: number;
  /** write every series of the partition next time (a previous write failed) */
  full: boolean;
  tombstones: Set<string>;
  inFlight: boolean;
  waiters: Array<{ offset: number; resolve: (ok: boolean) => void }>;
}

interface Capture {
  partition: number;
  offset: number;
  generation: number;
  messages: Message[];
  bytes: number;
}

/**
 * Writes per-series scorer state to the changelog (see changelog-record.ts), incrementally: a
 * checkpoint of a partition holds only the series touched (or deleted) since its previous
 * checkpoint, then a marker. States are captured synchronously between batches — the partition's
 * series then reflect exactly the input up to the last processed offset X — and written once the
 * outputs up to X are delivered (the group committed X + 1), under the same group generation.
 */
export class Checkpointer {
  private readonly parts = new Map<number, PartitionProgress>();
  private readonly now: () => number;
  readonly stats: CheckpointStats = { checkpoints: 0, checkpointRecords: 0, checkpointBytes: 0, checkpointFailures: 0 };

  constructor(private readonly o: CheckpointerOptions) {
    this.now = o.now ?? Date.now;
  }

  private progress(partition: number): PartitionProgress {
    let p = this.parts.get(partition);
    if (!p) {
      p = {
        processed: -1,
        delivered: -1,
        written: -1,
        full: false,
        tombstones: new Set(),
        inFlight: false,
        waiters: [],
      };
      this.parts.set(partition, p);
    }
    return p;
  }

  /** a cold start of `partition`: the group resumes at `committed` (everything below is delivered) */
  reset(partition: number, committed: number): void {
    this.revoke(partition);
    const p = this.progress(partition);
    p.delivered = committed - 1;
  }

  /** the partition's states were restored from a checkpoint covering input up to `offset` */
  restored(partition: number, offset: number): void {
    const p = this.progress(partition);
    p.processed = Math.max(p.processed, offset);
    p.written = offset;
  }

  /** a batch up to `lastOffset` was applied to the partition's states */
  processed(partition: number, lastOffset: number): void {
    const p = this.progress(partition);
    if (lastOffset > p.processed) p.processed = lastOffset;
  }

  /** the group committed `next`: outputs below it are delivered */
  committed(partition: number, next: number): void {
    const p = this.parts.get(partition);
    if (!p) return;
    if (next - 1 > p.delivered) p.delivered = next - 1;
    if (p.waiters.length === 0) return;
    p.waiters = p.waiters.filter((w) => {
      if (w.offset > p.delivered) return true;
      w.resolve(true);
      return false;
    });
  }

  /** a series was evicted or expired: delete it from the changelog with the next checkpoint */
  dropped(id: string, partition: number): void {
    this.parts.get(partition)?.tombstones.add(id);
  }

  /** the partition left this member: pending checkpoints of it are abandoned */
  revoke(partition: number): void {
    const p = this.parts.get(partition);
    if (!p) return;
    this.parts.delete(partition);
    for (const w of p.waiters) w.resolve(false);
  }

  /** partitions with input applied since their last checkpoint */
  due(): number[] {
    const out: number[] = [];
    for (const [partition, p] of this.parts) if (!p.inFlight && p.processed > p.written) out.push(partition);
    return out;
  }

  /** CPU time (ms) the captures of the last checkpoint() took: serialising states blocks the event loop */
  lastCaptureMs = 0;

  /**
   * Checkpoint these partitions (default: every partition with new input): capture now, write once
   * delivered. Partitions are captured one at a time, yielding to the event loop in between, so a
   * large checkpoint never stalls the consumer for long. Resolves when done or given up (never
   * rejects); `waitMs` bounds the wait for delivery.
   */
  async checkpoint(partitions: number[] = this.due(), waitMs = this.o.deliveryTimeoutMs ?? 60_000): Promise<void> {
    const writes: Promise<void>[] = [];
    let captureMs = 0;
    for (const [i, partition] of partitions.entries()) {
      if (i > 0) await new Promise<void>((r) => setImmediate(r));
      const t0 = performance.now();
      const captures = this.capture([partition]);
      captureMs += performance.now() - t0;
      for (const c of captures) writes.push(this.write(c, waitMs));
    }
    this.lastCaptureMs = captureMs;
    await Promise.all(writes);
  }

  /** serialise the dirty series of `partitions` (one pass over the table) */
  private capture(partitions: number[]): Capture[] {
    const wanted = new Map<number, { p: PartitionProgress; c: Capture }>();
    const generation = this.o.generation();
    const ts = this.now();
    for (const partition of partitions) {
      const p = this.parts.get(partition);
      if (!p || p.inFlight || p.processed < 0 || p.processed <= p.written) continue;
      const c: Capture = { partition, offset: p.processed, generation, messages: [], bytes: 0 };
      const sp = statePartition(partition, this.o.statePartitions);
      for (const id of p.tombstones) c.messages.push({ key: id, value: null, partition: sp });
      p.tombstones.clear();
      wanted.set(partition, { p, c });
    }
    if (wanted.size === 0) return [];
    const prefix = `{"v":${CHANGELOG_VERSION},"kind":"series","partition":`;
    for (const [id, e] of this.o.table.entries()) {
      const w = wanted.get(e.partition);
      if (!w || !(e.dirty || w.p.full)) continue;
      e.dirty = false;
      const lastTs = Number.isFinite(e.lastTs) ? e.lastTs : null;
      const value = `${prefix}${e.partition},"offset":"${w.c.offset}","ts":${ts},"lastTs":${lastTs},"state":${JSON.stringify(e.state)}}`;
      w.c.bytes += value.length + id.length;
      w.c.messages.push({ key: id, value, partition: statePartition(e.partition, this.o.statePartitions) });
    }
    for (const { p } of wanted.values()) {
      p.full = false;
      p.inFlight = true;
    }
    return [...wanted.values()].map((w) => w.c);
  }

  private async write(c: Capture, waitMs: number): Promise<void> {
    const p = this.parts.get(c.partition);
    if (!p) return;
    const stillOwned = () =>
      this.parts.get(c.partition) === p && this.o.generation() === c.generation && this.o.owns(c.partition);
    try {
      if (c.offset > p.delivered) {
        const ok = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            p.waiters = p.waiters.filter((w) => w.resolve !== done);
            resolve(false);
          }, waitMs);
          const done = (v: boolean) => {
            clearTimeout(timer);
            resolve(v);
          };
          p.waiters.push({ offset: c.offset, resolve: done });
        });
        if (!ok) {
          p.full = true;
          for (const m of c.messages) if (m.value === null && typeof m.key === 'string') p.tombstones.add(m.key);
          return;
        }
      }
      if (!stillOwned()) return;
      if (c.messages.length > 0) await this.o.producer.send(this.o.topic, c.messages);
      if (!stillOwned()) {
        p.full = true;
        return;
      }
      const marker = JSON.stringify({
        v: CHANGELOG_VERSION,
        kind: 'checkpoint',
        partition: c.partition,
        offset: String(c.offset),
        ts: this.now(),
        series: c.messages.length,
      });
      await this.o.producer.send(this.o.topic, [
        { key: markerKey(c.partition), value: marker, partition: statePartition(c.partition, this.o.statePartitions) },
      ]);
      if (c.offset > p.written) p.written = c.offset;
      this.stats.checkpoints++;
      this.stats.checkpointRecords += c.messages.length;
      this.stats.checkpointBytes += c.bytes + marker.length;
    } catch (e) {
      p.full = true;
      for (const m of c.messages) if (m.value === null && typeof m.key === 'string') p.tombstones.add(m.key);
      this.stats.checkpointFailures++;
      this.o.log.warn('writing a checkpoint failed; the next one writes the whole partition', {
        partition: c.partition,
        offset: c.offset,
        error: describeError(e),
      });
    } finally {
      p.inFlight = false;
    }
  }
}
