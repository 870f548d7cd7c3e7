import type { MetricPoint } from '../contracts/metric.js';
import type { ModelRef, Prediction } from '../contracts/prediction.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { encodeWindow, initStream, inputSize, pushRow, type StreamState, windowReady } from './features.js';
import type { BreachLimits } from './forecast-schema.js';
import { forecastPrediction } from './forecast-serve.js';
import type { ModelOutput, TrainedModel } from './model.js';

/** `15m`, `2h`, `90s`, `1d` … */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [u, s] of units) if (ms >= u && ms % u === 0) return `${ms / u}${s}`;
  return `${ms}ms`;
}

const pct = (p: number) => `${Math.round(p * 100)} %`;

/** Serving options: forecaster breach limits per metric (override the model's own). */
export interface PredictionOptions {
  limits?: BreachLimits;
}

/** Turn row `i` of a model output into a Prediction message. */
export function toPrediction(
  model: TrainedModel,
  ref: ModelRef,
  out: ModelOutput,
  i: number,
  source: string,
  ts: number,
  opts: PredictionOptions = {},
): Prediction {
  if (out.kind === 'forecaster' && model.kind === 'forecaster')
    return forecastPrediction(model, ref, out, i, source, ts, opts.limits);
  const base = { v: SCHEMA_VERSION, id: `${source}:${ref.name}@${ref.version}:${ts}`, ts, source, model: ref };
  if (out.kind === 'autoencoder' && model.kind === 'autoencoder') {
    const metrics = model.meta.features.metrics;
    const M = metrics.length;
    const contributors = metrics
      .map((metric, m) => ({ metric, share: out.share[i * M + m] as number }))
      .sort((a, b) => b.share - a.share)
      .slice(0, 3)
      .filter((c) => c.share >= 0.05);
    const score = out.score[i] as number;
    const typical = Math.exp(model.meta.anomaly.center);
    const ratio = (out.error[i] as number) / typical;
    return {
      ...base,
      horizonMs: 0,
      score,
      faults: [],
      contributors,
      reason: `anomaly score ${score.toFixed(2)} (reconstruction error ${ratio.toFixed(1)}× typical)${
        contributors.length > 0
          ? `; most from ${contributors.map((c) => `${c.metric} (${pct(c.share)})`).join(', ')}`
          : ''
      }`,
    };
  }
  if (out.kind === 'predictor' && model.kind === 'predictor') {
    const K = model.meta.classes.length;
    const faults = model.meta.classes
      .map((type, k) => ({ type, p: out.probs[i * K + k] as number }))
      .sort((a, b) => b.p - a.p);
    const horizon = formatDuration(model.meta.horizonMs);
    return {
      ...base,
      horizonMs: model.meta.horizonMs,
      score: null,
      faults,
      contributors: [],
      reason: `within ${horizon}: ${faults.map((f) => `${f.type} ${pct(f.p)}`).join(', ')}`,
    };
  }
  throw new Error(`model output ${out.kind} does not match model ${model.kind}`);
}

interface SourceState {
  st: StreamState;
  /** ts of the row being assembled (NaN when none) */
  rowTs: number;
  row: Float64Array;
}

/**
 * Serving with the shared feature pipeline: metric points in (any sources, each source's points in
 * time order), predictions out. A source's row is complete when a point with a later ts arrives
 * (or on `end()`); every complete row with a full window queues one window; `drain()` scores all
 * queued windows in one batch. Points of unknown metrics are ignored; late points (ts before the
 * row being assembled) are dropped and counted.
 */
export class PredictionStream {
  private readonly sources = new Map<string, SourceState>();
  private readonly col: Map<string, number>;
  private readonly D: number;
  private buf: Float32Array;
  private queued: { source: string; ts: number }[] = [];
  /** points dropped because they arrived after a later row of their source */
  late = 0;

  constructor(
    readonly model: TrainedModel,
    readonly ref: ModelRef,
    readonly opts: PredictionOptions = {},
  ) {
    this.col = new Map(model.meta.features.metrics.map((m, i) => [m, i]));
    this.D = inputSize(model.meta.features);
    this.buf = new Float32Array(64 * this.D);
  }

  push(p: MetricPoint): void {
    const c = this.col.get(p.metric);
    if (c === undefined) return;
    let s = this.sources.get(p.source);
    if (!s) {
      const M = this.col.size;
      s = { st: initStream(this.model.meta.features), rowTs: Number.NaN, row: new Float64Array(M).fill(Number.NaN) };
      this.sources.set(p.source, s);
    }
    if (Number.isNaN(s.rowTs) ? p.ts <= s.st.ts : p.ts < s.rowTs) {
      this.late++;
      return;
    }
    if (p.ts > s.rowTs) this.completeRow(p.source, s);
    s.rowTs = p.ts;
    s.row[c] = p.value ?? Number.NaN;
  }

  /** Complete every source's pending row (end of input). */
  end(): void {
    for (const [source, s] of this.sources) this.completeRow(source, s);
  }

  /** Score the queued windows in one batch. */
  drain(): Prediction[] {
    const n = this.queued.length;
    if (n === 0) return [];
    const out = this.model.predict(this.buf.subarray(0, n * this.D), n);
    const preds = this.queued.map((q, i) => toPrediction(this.model, this.ref, out, i, q.source, q.ts, this.opts));
    this.queued = [];
    return preds;
  }

  /** Per-source streaming state (plain data) — for checkpoints and tests. */
  state(source: string): StreamState | undefined {
    return this.sources.get(source)?.st;
  }

  private completeRow(source: string, s: SourceState): void {
    if (Number.isNaN(s.rowTs)) return;
    const f = this.model.meta.features;
    pushRow(f, s.st, s.rowTs, s.row);
    s.row.fill(Number.NaN);
    const ts = s.rowTs;
    s.rowTs = Number.NaN;
    if (!windowReady(f, s.st)) return;
    const k = this.queued.length;
    if ((k + 1) * this.D > this.buf.length) {
      const bigger = new Float32Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    encodeWindow(f, s.st, this.buf, k * this.D);
    this.queued.push({ source, ts });
  }
}
