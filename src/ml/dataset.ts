import type { FaultType } from '../contracts/fault.js';
import { FAULT_TYPES, type FaultSample } from '../contracts/samples.js';
import { TrainDataError } from './errors.js';
import { faultsBySource } from './faults.js';
import { DEFAULT_CLIP, FEATURE_PIPELINE_VERSION, type FeatureSchema, frameWindows, inputSize } from './features.js';
import { type Frames, medianStep } from './frames.js';
import { faultLabels, type Labels } from './labels.js';
import { fitScaler } from './scaler.js';
import { assignSplits, SPLIT, type SplitBounds, splitBounds } from './split.js';

export interface DatasetOptions {
  /** rows per window */
  window: number;
  /** look-ahead of the fault labels (ms) */
  horizonMs: number;
  /** time fractions of train and validation (the rest is the held-out test tail); default 0.6 / 0.2 */
  fractions?: { train: number; val: number };
  /** predictor classes; default: the fault types present in the faults, in canonical order */
  classes?: readonly FaultType[];
  clip?: number;
}

/** Every window of every source, with features, labels and a leak-free time split. */
export interface Dataset {
  schema: FeatureSchema;
  /** features per window */
  D: number;
  n: number;
  /** n × D */
  x: Float32Array;
  start: Float64Array;
  end: Float64Array;
  src: Int32Array;
  sources: string[];
  split: Uint8Array;
  bounds: SplitBounds;
  classes: FaultType[];
  labels: Labels;
  faults: Map<string, FaultSample[]>;
}

/** The scaler is fitted on the training period only; windows come from the shared feature pipeline. */
export function buildDataset(data: Frames, faults: readonly FaultSample[], opts: DatasetOptions): Dataset {
  const { metrics, frames } = data;
  if (metrics.length === 0 || frames.length === 0) throw new TrainDataError('no metric points in the samples');
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const f of frames) {
    if (f.ts.length === 0) continue;
    from = Math.min(from, f.ts[0] as number);
    to = Math.max(to, f.ts[f.ts.length - 1] as number);
  }
  const stepMs = medianStep(frames);
  if (!(stepMs > 0)) throw new TrainDataError('the samples need at least two timestamps per source');
  const bounds = splitBounds(from, to, opts.fractions ?? { train: 0.6, val: 0.2 });
  const scaler = fitScaler(frames, metrics.length, bounds.trainEnd);
  const schema: FeatureSchema = {
    version: FEATURE_PIPELINE_VERSION,
    metrics,
    window: opts.window,
    stepMs,
    missing: 'ffill+mask',
    scaler,
    clip: opts.clip ?? DEFAULT_CLIP,
  };
  const D = inputSize(schema);
  const parts = frames.map((f) => frameWindows(schema, f));
  const n = parts.reduce((a, p) => a + p.n, 0);
  if (n === 0) throw new TrainDataError(`no source has ${opts.window} rows (one window)`);
  const x = new Float32Array(n * D);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const src = new Int32Array(n);
  let k = 0;
  parts.forEach((p, s) => {
    x.set(p.x, k * D);
    start.set(p.start, k);
    end.set(p.end, k);
    src.fill(s, k, k + p.n);
    k += p.n;
  });
  const sources = frames.map((f) => f.source);
  const present = new Set(faults.map((f) => f.type));
  const classes = opts.classes ? [...opts.classes] : FAULT_TYPES.filter((t) => present.has(t));
  const bySource = faultsBySource(faults);
  const labels = faultLabels({ n, start, end, src, sources }, bySource, classes, opts.horizonMs);
  const split = assignSplits(start, end, bounds, opts.horizonMs);
  return { schema, D, n, x, start, end, src, sources, split, bounds, classes, labels, faults: bySource };
}

/** Indices of the windows in a split that pass `keep`. */
export function splitIndex(ds: Dataset, code: number, keep: (i: number) => boolean = () => true): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < ds.n; i++) if (ds.split[i] === code && keep(i)) idx.push(i);
  return Int32Array.from(idx);
}

/** Gather rows of an n × width matrix. */
export function gatherRows(m: Float32Array, width: number, idx: Int32Array): Float32Array {
  const out = new Float32Array(idx.length * width);
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j] as number;
    out.set(m.subarray(i * width, (i + 1) * width), j * width);
  }
  return out;
}

export { SPLIT };
