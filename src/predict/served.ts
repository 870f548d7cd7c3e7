import type { MetricPoint } from '../contracts/metric.js';
import type { ModelKind, Prediction } from '../contracts/prediction.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import type { BreachLimits } from '../ml/forecast-schema.js';
import { servedVersion } from '../ml/promote.js';
import { type LoadedVersion, loadModel } from '../ml/registry.js';
import { PredictionStream } from '../ml/serve.js';
import { describeError } from '../transport/errors.js';
import { type Log, silentLog } from '../transport/log.js';
import { RowAssembler } from './rows.js';

/** Raw rows kept per source to re-warm a new version (at least its window). */
export const KEEP_ROWS = 64;

export interface RefusedVersion {
  version: number;
  error: string;
  at: string;
}

export interface ServedModelStats {
  name: string;
  kind: ModelKind | null;
  version: number | null;
  /** tfjs backend the version was trained on, and the one serving it */
  trainedOn: string | null;
  backend: string;
  loadedAt: string | null;
  /** versions swapped in after the first */
  swaps: number;
  /** versions refused (corrupt, mismatched); the running one stayed live */
  refusals: number;
  lastRefused: RefusedVersion | null;
  predictions: number;
  /** rows predicted; points dropped because their row was already predicted */
  rows: number;
  latePoints: number;
  pendingRows: number;
  sources: number;
}

export interface ServedModelOptions {
  name: string;
  root: string;
  backend: string;
  limits?: BreachLimits;
  graceMs: number;
  log?: Log;
}

export type PollResult = 'swapped' | 'unchanged' | 'refused' | 'none';

/**
 * One model served by the predict worker: the version in use, its PredictionStream (the shared
 * feature pipeline) and the row assembler in front of it.
 *
 * HOT SWAP: `poll()` asks the registry which version should be served (promoted.json, else the
 * newest). A new one is loaded and fully validated (sha256 of every file, meta, feature schema,
 * same kind as the running one) BEFORE anything changes; a refused version is logged once with the
 * reason and remembered, and the running version stays live. A good one is swapped in synchronously
 * between two batches: a new stream is RE-WARMED by replaying the last raw rows of every source
 * (KEEP_ROWS, at least the new window) through the new version's feature pipeline — so scaler,
 * window and metrics may all change — and the next row is predicted by the new version with a full
 * window. Rows not yet complete stay in the assembler: no point is lost.
 */
export class ServedModel {
  private current: LoadedVersion | null = null;
  private stream: PredictionStream | null = null;
  readonly rows: RowAssembler;
  private readonly refused = new Map<number, RefusedVersion>();
  private readonly log: Log;
  private warnedMissing = false;
  private lastRefused: RefusedVersion | null = null;
  private counts = { swaps: 0, refusals: 0, predictions: 0, rows: 0 };
  private loadedAt: string | null = null;
  private polling: Promise<PollResult> | null = null;
  private closed = false;

  constructor(private readonly o: ServedModelOptions) {
    this.log = o.log ?? silentLog;
    this.rows = new RowAssembler([], o.graceMs, KEEP_ROWS);
  }

  get name(): string {
    return this.o.name;
  }

  loaded(): LoadedVersion | null {
    return this.current;
  }

  /** Check the registry and swap in a new version if there is one (never throws). */
  poll(): Promise<PollResult> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<PollResult> {
    const { root, name } = this.o;
    let v: number | null;
    try {
      v = await servedVersion(root, name);
    } catch (e) {
      return this.refuse(-1, describeError(e));
    }
    if (v === null) {
      if (!this.warnedMissing) {
        this.warnedMissing = true;
        this.log.warn(`model ${name}: no version in ${root} yet; it is served as soon as one appears`);
      }
      return 'none';
    }
    if (this.current?.version === v || this.refused.has(v)) return 'unchanged';
    let next: LoadedVersion;
    try {
      next = await loadModel(root, name, v, this.current ? { kind: this.current.meta.kind } : {});
    } catch (e) {
      return this.refuse(v, describeError(e));
    }
    this.swap(next);
    return 'swapped';
  }

  private refuse(version: number, error: string): PollResult {
    // a broken registry pointer is reported once per distinct error, not every poll
    if (version < 0 && this.lastRefused?.version === version && this.lastRefused.error === error) return 'refused';
    const r: RefusedVersion = { version, error, at: new Date().toISOString() };
    if (version > 0) this.refused.set(version, r);
    this.lastRefused = r;
    this.counts.refusals++;
    const cur = this.current;
    this.log.error(
      `model ${this.o.name}${version > 0 ? ` version ${version}` : ''} REFUSED: ${error} — ${
        cur ? `version ${cur.version} stays live` : 'no version is served yet'
      }`,
      { model: this.o.name, version },
    );
    return 'refused';
  }

  /** Replace the served version now (synchronous: never interleaves with a batch). */
  swap(next: LoadedVersion): void {
    if (this.closed) {
      next.model.dispose();
      return;
    }
    const f = next.meta.features;
    const stream = new PredictionStream(
      next.model,
      { name: next.name, version: next.version, kind: next.meta.kind },
      { limits: this.o.limits },
    );
    this.rows.setMetrics(f.metrics, Math.max(f.window, KEEP_ROWS));
    let warmed = 0;
    for (const r of this.rows.history()) {
      feed(stream, f.metrics, r.source, r.ts, r.values);
      warmed++;
    }
    stream.end();
    stream.drain(); // these rows were predicted already (by the previous version)
    const old = this.current;
    this.current = next;
    this.stream = stream;
    this.loadedAt = new Date().toISOString();
    if (old) this.counts.swaps++;
    old?.model.dispose();
    this.log.info(
      old
        ? `model ${next.name}: swapped version ${old.version} → ${next.version} (stream re-warmed from ${warmed} rows)`
        : `model ${next.name}: serving version ${next.version} (${next.meta.kind})`,
      { dir: next.dir },
    );
  }

  ingest(p: MetricPoint): void {
    this.rows.add(p);
  }

  /** Predict every row that became complete (an empty list before a version is loaded). */
  predict(): Prediction[] {
    const rows = this.rows.release();
    const stream = this.stream;
    const cur = this.current;
    if (!stream || !cur || rows.length === 0) return [];
    const metrics = cur.meta.features.metrics;
    for (const r of rows) feed(stream, metrics, r.source, r.ts, r.values);
    stream.end();
    const out = stream.drain();
    this.counts.rows += rows.length;
    this.counts.predictions += out.length;
    return out;
  }

  stats(): ServedModelStats {
    const c = this.current;
    return {
      name: this.o.name,
      kind: c?.meta.kind ?? null,
      version: c?.version ?? null,
      trainedOn: c?.meta.backend ?? null,
      backend: this.o.backend,
      loadedAt: this.loadedAt,
      swaps: this.counts.swaps,
      refusals: this.counts.refusals,
      lastRefused: this.lastRefused,
      predictions: this.counts.predictions,
      rows: this.counts.rows,
      latePoints: this.rows.late,
      pendingRows: this.rows.pendingRows(),
      sources: this.rows.size,
    };
  }

  dispose(): void {
    this.closed = true;
    this.current?.model.dispose();
    this.current = null;
    this.stream = null;
  }
}

function feed(
  stream: PredictionStream,
  metrics: readonly string[],
  source: string,
  ts: number,
  values: readonly (number | null)[],
): void {
  for (let m = 0; m < metrics.length; m++) {
    stream.push({ v: SCHEMA_VERSION, ts, source, metric: metrics[m] as string, value: values[m] ?? null });
  }
}
