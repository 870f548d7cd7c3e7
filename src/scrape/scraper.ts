import type { PointSink } from '../api/routes/metrics.js';
import type { MetricPoint } from '../contracts/metric.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { ScrapeError } from '../prometheus/errors.js';
import { droppedOf, emptyCounts, identify, type MapCounts, SampleMapper } from '../prometheus/mapping.js';
import type { Label } from '../prometheus/write-request.js';
import { type Log, silentLog } from '../transport/log.js';
import { ScrapeConfig, type ScrapeConfigInput, type ScrapeTarget } from './config.js';
import { parseTextFormat } from './text-format.js';

export interface ScraperOptions {
  /** the pipeline's `scrape:` section (validated again here) */
  config: ScrapeConfig | ScrapeConfigInput;
  /** where points go: the producer to the metrics topic (see `producerSink`) */
  sink: PointSink;
  log?: Log;
  /** a sink call slower than this fails the scrape (default 10 s) */
  sinkTimeoutMs?: number;
}

export interface TargetStatus {
  url: string;
  job: string;
  /** the `instance` label: host:port of the URL */
  instance: string;
  health: 'unknown' | 'up' | 'down';
  /** epoch ms of the last scrape's start, its duration, and the last failure */
  lastScrape?: number;
  lastDurationMs?: number;
  lastError?: string;
  scrapes: number;
  failures: number;
  /** samples parsed, points written, samples dropped (stale, NaN, ±Inf, first counter sample...) */
  samples: number;
  points: number;
  dropped: number;
  /** lines of the exposition that could not be parsed (skipped) */
  badLines: number;
}

export interface Scraper {
  /** stops the timers, aborts scrapes in flight and waits for them */
  stop(): Promise<void>;
  status(): { targets: TargetStatus[] };
}

interface Target {
  cfg: ScrapeTarget;
  job: string;
  instance: string;
  interval: number;
  timeout: number;
  /** job, instance, section labels, target labels: win over the exposition's own */
  targetLabels: Label[];
  status: TargetStatus;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  abort?: AbortController;
}

const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

function instanceOf(url: string): string {
  const u = new URL(url);
  return u.port ? `${u.hostname}:${u.port}` : `${u.hostname}:${u.protocol === 'https:' ? 443 : 80}`;
}

/**
 * Prometheus' `honor_labels: false`: target labels win; a clashing label of the exposition is kept
 * as `exported_<name>`.
 */
export function mergeLabels(own: ReadonlyArray<Label>, target: ReadonlyArray<Label>): Label[] {
  const taken = new Set(target.map((l) => l.name));
  const out: Label[] = [];
  for (const l of own) out.push(taken.has(l.name) ? { name: `exported_${l.name}`, value: l.value } : l);
  for (const l of target) out.push(l);
  return out;
}

async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > max) throw new Error(`response of ${declared} bytes is above maxBodyBytes (${max})`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) throw new Error(`response is above maxBodyBytes (${max})`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Pulls the Prometheus text format from each target every `interval` (the first scrape at once,
 * scrapes of one target never overlap) and writes the samples as MetricPoints (the mapping of
 * src/prometheus/mapping.ts: source = `instance`, i.e. host:port of the target, metric =
 * `name{labels}`, counters as rates) plus `up` (1 or 0) per target, like Prometheus. Samples
 * without a timestamp get the scrape's start time. A failing target (refused, timeout, HTTP
 * status, body too large, sink down) is logged when its error changes and counted in `status()`;
 * it never stops the scraper or the other targets.
 */
export function startScraper(opts: ScraperOptions): Scraper {
  const config = ScrapeConfig.parse(opts.config);
  const log = opts.log ?? silentLog;
  const sinkTimeoutMs = opts.sinkTimeoutMs ?? 10_000;
  const mapper = new SampleMapper(config);
  let stopped = false;

  const targets: Target[] = config.targets.map((cfg) => {
    const job = cfg.job ?? config.job;
    const instance = instanceOf(cfg.url);
    const extra = { ...config.labels, ...cfg.labels };
    const targetLabels: Label[] = [
      ...Object.entries(extra)
        .filter(([k]) => k !== 'job' && k !== 'instance')
        .map(([name, value]) => ({ name, value })),
      { name: 'job', value: extra['job'] ?? job },
      { name: 'instance', value: extra['instance'] ?? instance },
    ];
    return {
      cfg,
      job,
      instance,
      interval: cfg.interval ?? config.interval,
      // like Prometheus: a target with a shorter interval than the section's timeout times out at its interval
      timeout: cfg.timeout ?? Math.min(config.timeout, cfg.interval ?? config.interval),
      targetLabels,
      status: {
        url: cfg.url,
        job,
        instance,
        health: 'unknown',
        scrapes: 0,
        failures: 0,
        samples: 0,
        points: 0,
        dropped: 0,
        badLines: 0,
      },
    };
  });

  async function scrapeOnce(t: Target, started: number): Promise<void> {
    const abort = new AbortController();
    t.abort = abort;
    const timer = setTimeout(() => abort.abort(new Error(`timed out after ${t.timeout} ms`)), t.timeout);
    let text: string;
    try {
      const res = await fetch(t.cfg.url, {
        headers: {
          accept: ACCEPT,
          'user-agent': 'faultline-scraper',
          'x-prometheus-scrape-timeout-seconds': String(t.timeout / 1000),
        },
        signal: abort.signal,
      });
      if (res.status !== 200) {
        await res.body?.cancel().catch(() => {});
        throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
      }
      text = await readCapped(res, config.maxBodyBytes);
    } catch (err) {
      const reason = abort.signal.aborted ? (abort.signal.reason as Error) : err;
      const e = reason as Error & { cause?: { code?: string; message?: string } };
      const detail = e.cause?.code ?? e.cause?.message;
      throw new ScrapeError(t.cfg.url, `${e.message ?? String(e)}${detail ? ` (${detail})` : ''}`, { cause: err });
    } finally {
      clearTimeout(timer);
      t.abort = undefined;
    }

    const parsed = parseTextFormat(text);
    if (parsed.issues.length > 0) {
      t.status.badLines += parsed.issues.length;
      const first = parsed.issues[0] as { line: number; message: string };
      log.warn('scrape: skipped lines that are not in the text format', {
        target: t.cfg.url,
        lines: parsed.issues.length,
        first: `line ${first.line}: ${first.message}`,
      });
    }
    const points: MetricPoint[] = [];
    const counts: MapCounts = emptyCounts();
    const batch = mapper.batch();
    for (const s of parsed.samples) {
      const labels = mergeLabels([{ name: '__name__', value: s.name }, ...s.labels], t.targetLabels);
      const id = identify(labels, config);
      if (typeof id === 'string') continue; // cannot happen: every sample has a name
      batch.mapSamples(id, [{ value: s.value, timestamp: s.timestamp ?? started }], points, counts);
    }
    points.push(upPoint(t, started, 1));
    await withTimeout(opts.sink.sendPoints(points), sinkTimeoutMs, 'metric sink');
    batch.commit();
    t.status.samples += parsed.samples.length;
    t.status.points += counts.points;
    t.status.dropped += droppedOf(counts);
  }

  function upPoint(t: Target, ts: number, value: 0 | 1): MetricPoint {
    const id = identify([{ name: '__name__', value: 'up' }, ...t.targetLabels], { ...config, rate: false });
    const base = typeof id === 'string' ? { source: t.instance, metric: 'up' } : id;
    const p: MetricPoint = { v: SCHEMA_VERSION, ts, source: base.source, metric: base.metric, value };
    if (typeof id !== 'string' && id.labels) p.labels = id.labels;
    return p;
  }

  async function tick(t: Target): Promise<void> {
    const started = Date.now();
    t.status.lastScrape = started;
    t.status.scrapes++;
    try {
      await scrapeOnce(t, started);
      if (t.status.health === 'down') log.info('scrape: target is back', { target: t.cfg.url });
      t.status.health = 'up';
      t.status.lastError = undefined;
    } catch (err) {
      if (stopped) return;
      t.status.failures++;
      const message = err instanceof Error ? err.message : String(err);
      if (message !== t.status.lastError) log.warn('scrape failed', { target: t.cfg.url, error: message });
      t.status.health = 'down';
      t.status.lastError = message;
      // tell the detectors the target is down, unless the sink itself is what failed
      if (err instanceof ScrapeError) {
        await withTimeout(opts.sink.sendPoints([upPoint(t, started, 0)]), sinkTimeoutMs, 'metric sink').catch(() => {});
      }
    } finally {
      t.status.lastDurationMs = Date.now() - started;
    }
  }

  function schedule(t: Target, delay: number): void {
    if (stopped) return;
    t.timer = setTimeout(() => {
      const started = Date.now();
      t.running = tick(t)
        .catch((err) => log.error('scrape: unexpected error', { target: t.cfg.url, error: err }))
        .finally(() => {
          t.running = undefined;
          schedule(t, Math.max(0, started + t.interval - Date.now()));
        });
    }, delay);
  }

  for (const t of targets) schedule(t, 0);
  log.info('scraper started', { targets: targets.length });

  return {
    async stop() {
      stopped = true;
      for (const t of targets) {
        clearTimeout(t.timer);
        t.abort?.abort(new Error('scraper stopped'));
      }
      await Promise.all(targets.map((t) => t.running));
      for (const t of targets) clearTimeout(t.timer);
    },
    status: () => ({ targets: targets.map((t) => ({ ...t.status })) }),
  };
}
