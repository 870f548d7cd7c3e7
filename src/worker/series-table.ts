/**
 * The per-series scorer states one worker holds, bounded two ways:
 * - `maxSeries`: least recently used series are evicted first (a series is "used" when a batch touches it);
 * - `ttlMs` (data time): a series whose newest point is older than the newest point seen anywhere
 *   minus the ttl is dropped. The data-time watermark is capped at wall clock + 1 day, so one
 *   point with a absurd future timestamp can't wipe every series.
 * An evicted series that comes back starts fresh (it learns again).
 */
export interface SeriesEntry<S> {
  state: S;
  /** input partition the series was read from (its state is dropped when that partition moves) */
  partition: number;
  /** newest data timestamp seen for this series */
  lastTs: number;
}

const DAY_MS = 86_400_000;

export class SeriesTable<S> {
  private readonly map = new Map<string, SeriesEntry<S>>();
  private watermark = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  evictions = 0;
  expirations = 0;

  constructor(private readonly opts: { maxSeries: number; ttlMs: number; init: () => S; now?: () => number }) {}

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
      return e;
    }
    e = { state: this.opts.init(), partition, lastTs: Number.NEGATIVE_INFINITY };
    this.map.set(id, e);
    while (this.map.size > this.opts.maxSeries) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evictions++;
    }
    return e;
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
