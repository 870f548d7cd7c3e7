import type { MetricPoint } from '../contracts/metric.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import type { PromMapping } from './config.js';
import type { Label, Sample } from './write-request.js';

/**
 * How a Prometheus series becomes a faultline series (the same rules for remote write and the scraper):
 *
 * - `source`: the value of the first of `sourceLabels` (default `instance`, then `job`) that the
 *   series has, else `defaultSource`.
 * - `metric`: `__name__` followed by the remaining labels in Prometheus' own text form, sorted by
 *   label name, values escaped as in the exposition format (`\\`, `\"`, `\n`):
 *   `node_cpu_seconds_total{cpu="0",mode="idle"}`; just `__name__` when nothing remains. Labels
 *   listed in `sourceLabels` and labels with an empty value are left out of the name.
 * - `labels`: the `sourceLabels` the series has (e.g. `{ instance, job }`), so nothing is lost.
 * - `rate: true` (default): a counter — a name ending in `_total` — becomes its per-second rate,
 *   `rate(node_cpu_seconds_total{cpu="0",mode="idle"})`, computed from consecutive samples of the
 *   series (Δvalue / Δt, with a counter reset counting from 0, as PromQL's rate does); the first
 *   sample of a counter only primes the rate. The last sample of each counter is kept in memory
 *   (at most `rateSeries`), so one faultline process must receive all samples of a series.
 * - A name or source longer than 256 characters is cut to 247 and ends in `~` + 8 hex digits of a
 *   hash of the whole, so it stays unique and stable.
 * - Dropped and counted, never sent: stale markers (the special NaN Prometheus writes when a
 *   series disappears; it also forgets the counter's last value), other NaN, ±Inf (JSON has
 *   neither), and timestamps that are not non-negative integers.
 */

export interface MapCounts {
  /** points produced */
  points: number;
  stale: number;
  nan: number;
  infinite: number;
  badTimestamp: number;
  /** first sample of a counter, only primes its rate */
  rateFirst: number;
  /** a counter sample not newer than the previous one (no rate) */
  outOfOrder: number;
}

export const emptyCounts = (): MapCounts => ({
  points: 0,
  stale: 0,
  nan: 0,
  infinite: 0,
  badTimestamp: 0,
  rateFirst: 0,
  outOfOrder: 0,
});

/** Adds `b` into `a`. */
export function addCounts(a: MapCounts, b: MapCounts): void {
  for (const k of Object.keys(b) as Array<keyof MapCounts>) a[k] += b[k];
}

/** Samples dropped (everything but points). */
export const droppedOf = (c: MapCounts): number =>
  c.stale + c.nan + c.infinite + c.badTimestamp + c.rateFirst + c.outOfOrder;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Prometheus' stale marker: the NaN with bits 0x7ff0000000000002. JavaScript engines may quiet a
 * signalling NaN as it is copied (setting bit 51: 0x7ff8000000000002), so both are accepted.
 */
export function isStaleMarker(v: number): boolean {
  if (!Number.isNaN(v)) return false;
  f64[0] = v;
  const lo = u32[LITTLE_ENDIAN ? 0 : 1] as number;
  const hi = u32[LITTLE_ENDIAN ? 1 : 0] as number;
  return lo === 2 && (hi === 0x7ff00000 || hi === 0x7ff80000);
}

/** The stale marker as a number (for tests and senders). */
export function staleMarker(): number {
  u32[LITTLE_ENDIAN ? 0 : 1] = 2;
  u32[LITTLE_ENDIAN ? 1 : 0] = 0x7ff00000;
  return f64[0] as number;
}

const MAX_NAME = 256;

/** FNV-1a, 32 bit, as 8 hex digits. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** `s`, or — when longer than 256 — its first 247 characters + `~` + a hash of all of it. */
export function fitName(s: string): string {
  return s.length <= MAX_NAME ? s : `${s.slice(0, MAX_NAME - 9)}~${fnv1a(s)}`;
}

const escapeValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** `name{a="x",b="y"}` from a name and labels (sorted by label name here). */
export function formatSeries(name: string, labels: ReadonlyArray<Label>): string {
  if (labels.length === 0) return name;
  let inOrder = true;
  for (let i = 1; i < labels.length && inOrder; i++)
    inOrder = (labels[i - 1] as Label).name <= (labels[i] as Label).name;
  // remote write sends labels sorted (the spec says MUST); the text format need not
  const sorted = inOrder ? labels : [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `${name}{${sorted.map((l) => `${l.name}="${escapeValue(l.value)}"`).join(',')}}`;
}

/** Who a series is in faultline: source, metric name, kept labels, and whether it is scored as a rate. */
export interface SeriesIdentity {
  source: string;
  metric: string;
  labels?: Record<string, string>;
  rate: boolean;
}

export type MappingOptions = Pick<PromMapping, 'sourceLabels' | 'defaultSource' | 'rate' | 'rateSeries'>;

/** Maps a series' labels to its identity, or returns an error message (no `__name__`). */
export function identify(labels: ReadonlyArray<Label>, opts: MappingOptions): SeriesIdentity | string {
  let name: string | undefined;
  const rest: Label[] = [];
  const kept: Record<string, string> = {};
  let keptAny = false;
  for (const l of labels) {
    if (l.name === '__name__') name = l.value;
    else if (l.value === '') continue;
    else if (opts.sourceLabels.includes(l.name)) {
      kept[l.name] = l.value;
      keptAny = true;
    } else rest.push(l);
  }
  if (!name) return 'the series has no __name__ label';
  let source = opts.defaultSource;
  for (const s of opts.sourceLabels) {
    const v = kept[s];
    if (v !== undefined) {
      source = v;
      break;
    }
  }
  const rate = opts.rate && name.endsWith('_total');
  const series = formatSeries(name, rest);
  return {
    source: fitName(source),
    metric: fitName(rate ? `rate(${series})` : series),
    ...(keptAny ? { labels: kept } : {}),
    rate,
  };
}

type Last = { ts: number; value: number };

/** Points of one request or scrape; its counter state only becomes the mapper's on `commit()`. */
export interface MapperBatch {
  /** Appends the points of one series' samples (in time order) to `out`, counting into `counts`. */
  mapSamples(id: SeriesIdentity, samples: ReadonlyArray<Sample>, out: MetricPoint[], counts: MapCounts): void;
  /** keep the counters' last samples (call once the points are written; a failed write is then retried afresh) */
  commit(): void;
}

/**
 * Turns samples into MetricPoints with the rules above. Keeps the last sample of each counter for
 * rates, so use one mapper per stream of samples (one per receiver, one per scraper). Work goes
 * through a batch whose counter state is committed only once its points are written: when Kafka
 * fails, Prometheus re-sends the same samples, and they must yield the same rates.
 */
export class SampleMapper {
  private readonly last = new Map<string, Last>();

  constructor(private readonly opts: MappingOptions) {}

  /** counters whose last sample is remembered */
  get rateSeries(): number {
    return this.last.size;
  }

  batch(): MapperBatch {
    /** this batch's updates; null = forget (a stale marker) */
    const staged = new Map<string, Last | null>();
    const lookup = (key: string): Last | undefined => {
      const s = staged.get(key);
      return s === null ? undefined : (s ?? this.last.get(key));
    };
    return {
      mapSamples: (id, samples, out, counts) => {
        const key = id.rate ? `${id.source}\u0000${id.metric}` : '';
        for (const s of samples) {
          const { value, timestamp: ts } = s;
          if (Number.isNaN(value)) {
            if (isStaleMarker(value)) {
              counts.stale++;
              if (id.rate) staged.set(key, null);
            } else counts.nan++;
            continue;
          }
          if (!Number.isFinite(value)) {
            counts.infinite++;
            continue;
          }
          if (!Number.isSafeInteger(ts) || ts < 0) {
            counts.badTimestamp++;
            continue;
          }
          let v = value;
          if (id.rate) {
            const prev = lookup(key);
            if (prev && ts <= prev.ts) {
              counts.outOfOrder++;
              continue;
            }
            staged.set(key, { ts, value });
            if (!prev) {
              counts.rateFirst++;
              continue;
            }
            const delta = value >= prev.value ? value - prev.value : value;
            v = delta / ((ts - prev.ts) / 1000);
          }
          const p: MetricPoint = { v: SCHEMA_VERSION, ts, source: id.source, metric: id.metric, value: v };
          if (id.labels) p.labels = id.labels;
          out.push(p);
          counts.points++;
        }
      },
      commit: () => {
        for (const [key, last] of staged) {
          // re-insert so the Map's order is least recently updated first
          this.last.delete(key);
          if (last) this.last.set(key, last);
        }
        while (this.last.size > this.opts.rateSeries) {
          const oldest = this.last.keys().next().value;
          if (oldest === undefined) break;
          this.last.delete(oldest);
        }
      },
    };
  }
}
