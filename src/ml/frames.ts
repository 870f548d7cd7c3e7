import type { MetricPoint } from '../contracts/metric.js';
import { readPointFile } from '../ingest/read.js';
import type { ReadOptions } from '../ingest/rows.js';

/**
 * One source's metrics on its own time axis: row i holds every metric observed at `ts[i]`
 * (row-major, `values[i * metrics.length + m]`, NaN = missing). Rows are in time order; a
 * (ts, metric) seen twice keeps the last value.
 */
export interface Frame {
  source: string;
  ts: Float64Array;
  values: Float64Array;
}

export interface Frames {
  /** metric names, sorted: the column order of every frame */
  metrics: string[];
  frames: Frame[];
}

/** Group points by source and align them by timestamp. `metrics` fixes the columns (others are ignored). */
export function buildFrames(points: Iterable<MetricPoint>, metrics?: readonly string[]): Frames {
  const bySource = new Map<string, Map<number, Map<string, number>>>();
  const seen = new Set<string>();
  for (const p of points) {
    let rows = bySource.get(p.source);
    if (!rows) {
      rows = new Map();
      bySource.set(p.source, rows);
    }
    let row = rows.get(p.ts);
    if (!row) {
      row = new Map();
      rows.set(p.ts, row);
    }
    row.set(p.metric, p.value ?? Number.NaN);
    seen.add(p.metric);
  }
  const cols = metrics ? [...metrics] : [...seen].sort();
  const M = cols.length;
  const frames: Frame[] = [];
  for (const source of [...bySource.keys()].sort()) {
    const rows = bySource.get(source) as Map<number, Map<string, number>>;
    const times = [...rows.keys()].sort((a, b) => a - b);
    const ts = Float64Array.from(times);
    const values = new Float64Array(times.length * M).fill(Number.NaN);
    times.forEach((t, i) => {
      const row = rows.get(t) as Map<string, number>;
      for (let m = 0; m < M; m++) {
        const v = row.get(cols[m] as string);
        if (v !== undefined && Number.isFinite(v)) values[i * M + m] = v;
      }
    });
    frames.push({ source, ts, values });
  }
  return { metrics: cols, frames };
}

/** Read a CSV/JSONL metrics file (src/ingest readers, same validation and errors) into frames. */
export async function readFrames(file: string, opts: ReadOptions = {}): Promise<Frames> {
  const points: MetricPoint[] = [];
  for await (const row of readPointFile(file, opts)) for (const p of row.points) points.push(p);
  return buildFrames(points);
}

/** Median spacing of consecutive timestamps over all frames (ms), or NaN when fewer than two rows. */
export function medianStep(frames: readonly Frame[]): number {
  const d: number[] = [];
  for (const f of frames) for (let i = 1; i < f.ts.length; i++) d.push((f.ts[i] as number) - (f.ts[i - 1] as number));
  if (d.length === 0) return Number.NaN;
  d.sort((a, b) => a - b);
  return d[d.length >> 1] as number;
}
