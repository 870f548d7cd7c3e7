import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * faultline's Prometheus metrics behind a small facade, so that modules register what they know
 * (a stats() function, a status() call) without importing prom-client. Values of `gauge` and
 * `counterFrom` are read at scrape time from the given callback; `counter` and `histogram` are
 * pushed by the caller.
 */

export type Labels = Record<string, string | number>;

/** One labelled value returned by a scrape-time callback. */
export interface Sample {
  labels: Labels;
  value: number;
}

/** A callback's answer: one unlabelled value, labelled samples, or nothing (no value this scrape). */
export type Reading = number | Sample[] | undefined;

export interface MetricSpec {
  /** full metric name, e.g. `faultline_worker_points_processed_total` */
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface CollectedSpec extends MetricSpec {
  /**
   * called at every scrape; may be async (bounded by `scrapeTimeoutMs`). A throw or `undefined`
   * empties a gauge for this scrape and keeps a counter's last totals.
   */
  collect: () => Reading | Promise<Reading>;
}

export interface CounterHandle {
  inc(labels?: Labels, by?: number): void;
}

export interface HistogramHandle {
  observe(value: number, labels?: Labels): void;
}

export interface Metrics {
  /** a gauge whose value is read from `collect` at scrape time */
  gauge(spec: CollectedSpec): void;
  /** a counter whose running total is read from `collect` at scrape time (e.g. a module's stats()) */
  counterFrom(spec: CollectedSpec): void;
  /** a counter incremented by the caller */
  counter(spec: MetricSpec): CounterHandle;
  histogram(spec: MetricSpec & { buckets: number[] }): HistogramHandle;
  /** the text exposition format */
  render(): Promise<string>;
  readonly contentType: string;
  /** names of registered metrics (for tests and diagnostics) */
  names(): string[];
}

export interface MetricsOptions {
  /** process and Node.js runtime metrics (`process_*`, `nodejs_*`); default true */
  processMetrics?: boolean;
  /** labels on every metric, e.g. `{ instance_role: 'api' }` */
  defaultLabels?: Labels;
  /** an async scrape-time callback slower than this is skipped for this scrape (default 3000 ms) */
  scrapeTimeoutMs?: number;
  /** callback failures are reported here (once per metric until it succeeds again) */
  onError?: (metric: string, err: unknown) => void;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no value within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Its own registry each time (never prom-client's global one), so several instances can coexist. */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultLabels) registry.setDefaultLabels(opts.defaultLabels);
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const timeoutMs = opts.scrapeTimeoutMs ?? 3000;
  const failing = new Set<string>();

  async function read(name: string, collect: CollectedSpec['collect']): Promise<Reading> {
    try {
      const r = collect();
      const v = r instanceof Promise ? await withTimeout(r, timeoutMs, name) : r;
      failing.delete(name);
      return v;
    } catch (err) {
      if (!failing.has(name)) opts.onError?.(name, err);
      failing.add(name);
      return undefined;
    }
  }

  /** writes a reading into a metric through `put` after clearing it (samples that vanished go away) */
  function apply(reading: Reading, reset: () => void, put: (labels: Labels, v: number) => void): void {
    reset();
    if (reading === undefined) return;
    if (typeof reading === 'number') {
      if (Number.isFinite(reading)) put({}, reading);
      return;
    }
    for (const s of reading) if (Number.isFinite(s.value)) put(s.labels, s.value);
  }

  return {
    gauge(spec) {
      new Gauge({
        name: spec.name,
        help: spec.help,
        labelNames: [...(spec.labelNames ?? [])],
        registers: [registry],
        async collect() {
          const reading = await read(spec.name, spec.collect);
          apply(
            reading,
            () => this.reset(),
            (labels, v) => this.set(labels, v),
          );
        },
      });
    },

    counterFrom(spec) {
      new Counter({
        name: spec.name,
        help: spec.help,
        labelNames: [...(spec.labelNames ?? [])],
        registers: [registry],
        async collect() {
          const reading = await read(spec.name, spec.collect);
          // a failed read keeps the last totals: a counter must not appear to reset
          if (reading === undefined) return;
          apply(
            reading,
            () => this.reset(),
            (labels, v) => this.inc(labels, Math.max(0, v)),
          );
        },
      });
    },

    counter(spec) {
      const c = new Counter({
        name: spec.name,
        help: spec.help,
        labelNames: [...(spec.labelNames ?? [])],
        registers: [registry],
      });
      return { inc: (labels, by) => (labels ? c.inc(labels, by ?? 1) : c.inc(by ?? 1)) };
    },

    histogram(spec) {
      const h = new Histogram({
        name: spec.name,
        help: spec.help,
        labelNames: [...(spec.labelNames ?? [])],
        buckets: spec.buckets,
        registers: [registry],
      });
      return { observe: (value, labels) => (labels ? h.observe(labels, value) : h.observe(value)) };
    },

    render: () => registry.metrics(),
    contentType: registry.contentType,
    names: () => registry.getMetricsAsArray().map((m) => m.name),
  };
}
