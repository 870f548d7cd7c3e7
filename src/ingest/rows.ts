import type { MetricPoint } from '../contracts/metric.js';

/** One input row: a timestamp and the points observed at it (one per metric). */
export interface PointRow {
  /** 1-based line number in the file */
  line: number;
  /** epoch ms */
  ts: number;
  points: MetricPoint[];
  /** bytes of the file read so far, for progress */
  bytes: number;
}

export interface ReadOptions {
  /** CSV: source of every point (default: the file's base name without extension) */
  source?: string;
  /** CSV: metric name when the file has one value column (default: the column's name) */
  metric?: string;
}
