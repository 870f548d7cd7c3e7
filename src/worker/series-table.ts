/**
 * The per-series scorer states one worker holds, bounded two ways:
 * - `maxSeries`: least recently used series are evicted first (a series is "used" when a batch touches it);
 * - `ttlMs` (data time): a series whose newest point is older than the newest point seen anywhere
 *   minus the ttl is dropped. The data-time watermark is capped at wall clock + 1 day, so one
 *   point with a absurd future timestamp can't wipe every series.
 * An evicted series that comes back starts fresh (it learns again).
 *
 * For checkpoints (checkpoint.ts) an entry is marked `dirty` whenever a batch touches it, and
 * `onDrop` reports evictions and expirations (the changelog deletes those series too).
 */
export interface SeriesEntry<S> {
  state: S;
  /** input partition the series was read from (its state is dropped when that partition moves) */
  partition: number;
  /** newest data timestamp seen for this series */
  lastTs: number;
  /** touched since the last checkpoint captured it */
  dirty: boolean;
  /**
   * restored from a checkpoint that covers input offsets up to here (beyond the partition's
   * resume point): points at offsets <= skipUntil are already in the state and must be skipped.
   * -1 = none.
   */
  skipUntil: number;
}

const DAY_MS = 86_400_000;

export class SeriesTable<S> {
  private readonly map = new Map<string, SeriesEntry<S>>();
  private watermark = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  evictions = 0;
  expirations = 0;

  constructor(
    private readonly opts: {
      maxSeries: number;
      ttlMs: number;
      init: () => S;
      now?: () => number;
      /** a series was evicted (maxSeries) or expired (ttl): not called for dropPartition/clear */
      onDrop?: (id: string, entry: SeriesEntry<S>) => void;
    },
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** the entry of a series, created if missing, and marked most recently used */
  acquire(id: string, partition: number): SeriesEntry<S> {
    let e = this.map.get(id);
    if (e) {
      this.map.delete(id);
      this.map.set(id, e);
      e.partition = partition;
      e.dirty = true;
      return e;
    }
    e = { state: this.opts.init(), partition, lastTs: Number.NEGATIVE_INFINITY, dirty: true, skipUntil: -1 };
    this.map.set(id, e);
    this.evictOverflow();
    return e;
  }

  /** put a series' state restored from a checkpoint (most recently used, not dirty) */
  put(id: string, partition: number, state: S, lastTs: number, skipUntil = -1): SeriesEntry<S> {
    this.map.delete(id);
    const e: SeriesEntry<S> = { state, partition, lastTs, dirty: false, skipUntil };
    this.map.set(id, e);
    if (Number.isFinite(lastTs)) this.observe(e, lastTs);
    this.evictOverflow();
    return e;
  }

  /** every entry, least recently used first (do not add or remove while iterating) */
  entries(): IterableIterator<[string, SeriesEntry<S>]> {
    return this.map.entries();
  }

  private evictOverflow(): void {
    while (this.map.size > this.opts.maxSeries) {
      const oldest = this.map.keys().next().value as string;
      const dropped = this.map.get(oldest) as SeriesEntry<S>;
      this.map.delete(oldest);
      this.evictions++;
      this.opts.onDrop?.(oldest, dropped);
    }
  }

  peek(id: string): SeriesEntry<S> | undefined {
    return this.map.get(id);
  }

  /** note a point's data time for `entry` */
  observe(entry: SeriesEntry<S>, ts: number): void {
    if (ts > entry.lastTs) entry.lastTs = ts;
    if (ts > this.watermark) {
      const cap = (this.opts.now ?? Date.now)() + DAY_MS;
      this.watermark = Math.min(ts, Math.max(cap, this.watermark));
    }
  }

  /** drop series whose newest point is older than watermark - ttl; cheap unless the watermark moved by ttl/8 */
  sweep(): number {
    const ttl = this.opts.ttlMs;
    if (!Number.isFinite(this.watermark) || this.watermark - this.lastSweep < ttl / 8) return 0;
    this.lastSweep = this.watermark;
    const cutoff = this.watermark - ttl;
    let n = 0;
    for (const [id, e] of this.map) {
      if (e.lastTs < cutoff) {
        this.map.delete(id);
        n++;
        this.opts.onDrop?.(id, e);
      }
    }
    this.expirations += n;
    return n;
  }

  /** drop every series read from `partition`; returns how many */
  dropPartition(partition: number): number {
    let n = 0;
    for (const [id, e] of this.map) {
      if (e.partition === partition) {
        this.map.delete(id);
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.map.clear();
  }
}
