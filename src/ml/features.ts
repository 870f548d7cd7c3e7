import { z } from 'zod';
import type { Frame } from './frames.js';

/**
 * THE feature pipeline, shared by training and serving so they cannot drift: both feed rows through
 * `pushRow` and read windows with `encodeWindow`.
 *
 * Per row (one timestamp of one source): each metric is forward-filled (a missing value repeats the
 * source's last observed value; before any observation it is the scaler's center), scaled with the
 * stored per-metric scaler and clipped to ±clip. A window is the last `window` rows. Its feature
 * vector, time-major (oldest row first):
 *
 *   [ row0: m0 … mM-1 | row1: m0 … | … | row W-1 | missing0 … missingM-1 ]
 *
 * where missing_m is the fraction of the window's rows in which metric m was not observed (the mask
 * feature: a model can tell a flat-lined forward fill from a genuinely flat metric).
 */
export const FEATURE_PIPELINE_VERSION = 1;

export const FeatureSchema = z
  .object({
    /** FEATURE_PIPELINE_VERSION of the code that made the model */
    version: z.number().int().positive(),
    /** column order of the model's inputs */
    metrics: z.array(z.string().min(1)).min(1),
    /** rows per window */
    window: z.number().int().min(2),
    /** median sampling interval of the training data (ms) */
    stepMs: z.number().positive(),
    missing: z.literal('ffill+mask'),
    scaler: z.object({ center: z.array(z.number()), scale: z.array(z.number().positive()) }),
    clip: z.number().positive(),
  })
  .strict();
export type FeatureSchema = z.infer<typeof FeatureSchema>;

export const DEFAULT_CLIP = 10;

/** Length of a window's feature vector. */
export function inputSize(s: Pick<FeatureSchema, 'window' | 'metrics'>): number {
  return s.window * s.metrics.length + s.metrics.length;
}

/** The metric (column index) a feature belongs to. */
export function featureMetric(s: Pick<FeatureSchema, 'window' | 'metrics'>, d: number): number {
  const M = s.metrics.length;
  return d < s.window * M ? d % M : d - s.window * M;
}

/** Streaming state of one source (plain data: JSON round-trips exactly). */
export interface StreamState {
  /** last observed raw value per metric (null = never observed) */
  last: (number | null)[];
  /** ring of scaled, forward-filled values: `window` rows × M */
  vals: number[];
  /** ring of missing flags (0/1), same layout */
  miss: number[];
  /** next ring row to write */
  pos: number;
  /** rows pushed so far (saturates at `window`) */
  n: number;
  /** ts of the last row pushed (NaN before any) */
  ts: number;
}

export function initStream(s: FeatureSchema): StreamState {
  const M = s.metrics.length;
  return {
    last: new Array(M).fill(null),
    vals: new Array(s.window * M).fill(0),
    miss: new Array(s.window * M).fill(1),
    pos: 0,
    n: 0,
    ts: Number.NaN,
  };
}

/** Push one row (raw values in schema column order, NaN/null = missing). */
export function pushRow(s: FeatureSchema, st: StreamState, ts: number, row: ArrayLike<number | null>): void {
  const M = s.metrics.length;
  const base = st.pos * M;
  const { center, scale } = s.scaler;
  for (let m = 0; m < M; m++) {
    const raw = row[m];
    const observed = raw !== null && raw !== undefined && Number.isFinite(raw);
    if (observed) st.last[m] = raw;
    const v = st.last[m];
    let x = v === null || v === undefined ? 0 : (v - (center[m] as number)) / (scale[m] as number);
    if (x > s.clip) x = s.clip;
    else if (x < -s.clip) x = -s.clip;
    st.vals[base + m] = x;
    st.miss[base + m] = observed ? 0 : 1;
  }
  st.pos = (st.pos + 1) % s.window;
  if (st.n < s.window) st.n++;
  st.ts = ts;
}

/** Whether the stream holds a full window. */
export function windowReady(s: FeatureSchema, st: StreamState): boolean {
  return st.n >= s.window;
}

/** Write the current window's feature vector at `out[offset .. offset + inputSize)`. */
export function encodeWindow(s: FeatureSchema, st: StreamState, out: Float32Array, offset: number): void {
  const M = s.metrics.length;
  const W = s.window;
  const maskBase = offset + W * M;
  for (let m = 0; m < M; m++) out[maskBase + m] = 0;
  for (let j = 0; j < W; j++) {
    const r = ((st.pos + j) % W) * M; // oldest row first
    const o = offset + j * M;
    for (let m = 0; m < M; m++) {
      out[o + m] = st.vals[r + m] as number;
      out[maskBase + m] = (out[maskBase + m] as number) + (st.miss[r + m] as number) / W;
    }
  }
}

export interface FrameWindows {
  /** n × inputSize features */
  x: Float32Array;
  /** ts of each window's last row */
  end: Float64Array;
  /** ts of each window's first row */
  start: Float64Array;
  n: number;
}

/** Every full window of a frame (one per row from row `window - 1` on), through the streaming path. */
export function frameWindows(s: FeatureSchema, frame: Frame): FrameWindows {
  const M = s.metrics.length;
  const D = inputSize(s);
  const rows = frame.ts.length;
  const n = Math.max(0, rows - s.window + 1);
  const x = new Float32Array(n * D);
  const end = new Float64Array(n);
  const start = new Float64Array(n);
  const st = initStream(s);
  const row = new Float64Array(M);
  let k = 0;
  for (let i = 0; i < rows; i++) {
    for (let m = 0; m < M; m++) row[m] = frame.values[i * M + m] as number;
    pushRow(s, st, frame.ts[i] as number, row);
    if (windowReady(s, st)) {
      encodeWindow(s, st, x, k * D);
      end[k] = frame.ts[i] as number;
      start[k] = frame.ts[i - s.window + 1] as number;
      k++;
    }
  }
  return { x, end, start, n };
}
