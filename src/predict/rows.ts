import type { MetricPoint } from '../contracts/metric.js';

/** One timestamp of one source: the values of the model's metrics (null = missing). */
export interface Row {
  source: string;
  ts: number;
  values: (number | null)[];
}

interface Pending {
  values: (number | null)[];
  seen: number;
  have: Uint8Array;
}

interface SourceRows {
  pending: Map<number, Pending>;
  /** ts of the last released row (-Infinity before any) */
  released: number;
  /** highest ts seen */
  maxTs: number;
  /** the last `keep` released rows, oldest first */
  history: Row[];
}

/**
 * Assembles each source's points into rows (one per timestamp) in front of the feature pipeline.
 * A source's metrics travel on different partitions (the metrics topic is keyed by source|metric),
 * so they arrive in any order: a row is released once all the model's metrics have arrived for its
 * timestamp, or once the source is `graceMs` ahead of it (data time); rows are released in time
 * order per source. A point for an already released timestamp is late (dropped, counted).
 * The last `keep` released rows per source are kept raw, to re-warm a new model version.
 */
export class RowAssembler {
  private readonly sources = new Map<string, SourceRows>();
  private col: Map<string, number>;
  late = 0;

  constructor(
    private metrics: readonly string[],
    private readonly graceMs: number,
    private keep: number,
  ) {
    this.col = new Map(metrics.map((m, i) => [m, i]));
  }

  /** The metrics a row holds (a new model version may change them; history rows are re-mapped). */
  setMetrics(metrics: readonly string[], keep: number): void {
    const old = this.metrics;
    this.metrics = metrics;
    this.col = new Map(metrics.map((m, i) => [m, i]));
    this.keep = Math.max(keep, 1);
    const remap = (values: (number | null)[]) =>
      metrics.map((m) => {
        const i = old.indexOf(m);
        return i < 0 ? null : (values[i] ?? null);
      });
    for (const s of this.sources.values()) {
      s.history = s.history.slice(-this.keep).map((r) => ({ ...r, values: remap(r.values) }));
      for (const p of s.pending.values()) {
        p.values = remap(p.values);
        p.have = Uint8Array.from(metrics.map((_, i) => (p.values[i] !== null ? 1 : 0)));
        p.seen = p.have.reduce((a, b) => a + b, 0);
      }
    }
  }

  /** Add a point; false when it is late (its row was already released) or of another metric. */
  add(p: MetricPoint): boolean {
    const c = this.col.get(p.metric);
    if (c === undefined) return false;
    let s = this.sources.get(p.source);
    if (!s) {
      s = { pending: new Map(), released: Number.NEGATIVE_INFINITY, maxTs: Number.NEGATIVE_INFINITY, history: [] };
      this.sources.set(p.source, s);
    }
    if (p.ts <= s.released) {
      this.late++;
      return false;
    }
    let row = s.pending.get(p.ts);
    if (!row) {
      row = { values: new Array(this.metrics.length).fill(null), seen: 0, have: new Uint8Array(this.metrics.length) };
      s.pending.set(p.ts, row);
    }
    if (row.have[c] === 0) {
      row.have[c] = 1;
      row.seen++;
    }
    row.values[c] = p.value;
    if (p.ts > s.maxTs) s.maxTs = p.ts;
    return true;
  }

  /** Rows ready to predict, each source's in time order. */
  release(): Row[] {
    const out: Row[] = [];
    const M = this.metrics.length;
    for (const [source, s] of this.sources) {
      if (s.pending.size === 0) continue;
      const times = [...s.pending.keys()].sort((a, b) => a - b);
      for (const ts of times) {
        const row = s.pending.get(ts) as Pending;
        if (row.seen < M && s.maxTs - ts < this.graceMs) break;
        s.pending.delete(ts);
        s.released = ts;
        const r: Row = { source, ts, values: row.values };
        out.push(r);
        s.history.push(r);
        if (s.history.length > this.keep) s.history.shift();
      }
    }
    return out;
  }

  /** Every source's kept rows, oldest first. */
  *history(): Iterable<Row> {
    for (const s of this.sources.values()) yield* s.history;
  }

  /** Points waiting for their row to complete. */
  pendingRows(): number {
    let n = 0;
    for (const s of this.sources.values()) n += s.pending.size;
    return n;
  }

  get size(): number {
    return this.sources.size;
  }
}
