import { type AnomalyEvent, type Score, type SeriesScores, seriesId } from '../contracts/index.js';
import type { Prediction } from '../contracts/prediction.js';
import { Ring } from './ring.js';
import type { SeriesSummary, SeriesView } from './schemas.js';

export interface ViewLimits {
  /** anomaly events kept (the oldest-arrived are dropped first) */
  anomaliesKept: number;
  /** series kept (the least recently updated is dropped first) */
  seriesKept: number;
  /** scored points kept per series */
  pointsPerSeries: number;
  /** latest predictions kept, one per (source, model, horizon) (default 10,000; the least recently updated is dropped) */
  predictionsKept?: number;
}

export interface PredictionQuery {
  source?: string | undefined;
  /** only predictions made for this look-ahead (ms) */
  horizonMs?: number | undefined;
  model?: string | undefined;
  limit?: number | undefined;
}

export interface AnomalyQuery {
  source?: string | undefined;
  metric?: string | undefined;
  /** only events with ts >= since (epoch ms) */
  since?: number | undefined;
  limit?: number | undefined;
}

export interface SeriesQuery {
  source?: string | undefined;
  metric?: string | undefined;
  limit?: number | undefined;
}

/** A change to the views, as pushed to subscribers (the SSE stream, metrics). */
export type ViewUpdate =
  /** an anomaly event was kept (a stale redelivery that does not supersede the kept state is not reported) */
  | {
      kind: 'anomaly';
      event: AnomalyEvent;
      /** false when the kept event already had this id and state (a redelivery or an update of the same state) */
      transition: boolean;
    }
  /** a batch of scored points of one series was added */
  | { kind: 'scores'; batch: SeriesScores };

/**
 * Bounded in-memory read models, fed from the anomaly and scores topics. Upstream delivery is
 * at-least-once, so both inputs are idempotent: an anomaly event replaces the kept one with the
 * same id, and a scored point replaces the kept point of its series with the same ts.
 */
export interface Views {
  addAnomaly(event: AnomalyEvent): void;
  addScores(batch: SeriesScores): void;
  /** newest first (event ts, then arrival) */
  anomalies(query?: AnomalyQuery): AnomalyEvent[];
  series(source: string, metric: string, opts?: { limit?: number | undefined }): SeriesView | undefined;
  /** highest last score first */
  listSeries(query?: SeriesQuery): SeriesSummary[];
  stats(): { anomalies: number; series: number };
  /** keeps the latest prediction per (source, model, horizon); an older redelivery is ignored */
  addPrediction(p: Prediction): void;
  /** the latest predictions, newest first (data ts) */
  predictions(query?: PredictionQuery): Prediction[];
  /**
   * Calls `listener` synchronously with every accepted change; returns the unsubscribe function.
   * A listener that throws is isolated: the update and the other listeners go on.
   */
  subscribe(listener: (u: ViewUpdate) => void): () => void;
}

interface SeriesEntry {
  id: string;
  source: string;
  metric: string;
  points: Ring<Score>;
  newestTs: number;
  lastAnomaly: AnomalyEvent | null;
}

interface Kept {
  event: AnomalyEvent;
  seq: number;
}

/**
 * Does `next` replace `prev` as the state of an anomaly? The same id: the later message wins, except
 * that `resolved` is final (a redelivered `firing` after it is stale). Different ids: the one that
 * started later is the series' last anomaly.
 */
export function supersedes(prev: AnomalyEvent, next: AnomalyEvent): boolean {
  if (prev.id === next.id) return !(prev.state === 'resolved' && next.state === 'firing');
  return next.startedAt >= prev.startedAt;
}

export function createViews(limits: ViewLimits): Views {
  for (const [k, v] of Object.entries(limits)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`view limit ${k} must be a positive integer, got ${v}`);
  }
  const anomalies = new Map<string, Kept>(); // insertion order = arrival order
  const series = new Map<string, SeriesEntry>(); // insertion order = least recently updated first
  let seq = 0;
  const listeners = new Set<(u: ViewUpdate) => void>();
  const predictions = new Map<string, Prediction>(); // insertion order = least recently updated first
  const predictionsKept = limits.predictionsKept ?? 10_000;

  function emit(u: ViewUpdate): void {
    for (const l of listeners) {
      try {
        l(u);
      } catch {
        // a subscriber's bug must not break the views or the other subscribers
      }
    }
  }

  /** Gets the entry and marks it most recently updated, evicting the least recently updated past the bound. */
  function touch(source: string, metric: string): SeriesEntry {
    const id = seriesId(source, metric);
    let entry = series.get(id);
    if (entry) series.delete(id);
    else
      entry = {
        id,
        source,
        metric,
        points: new Ring<Score>(limits.pointsPerSeries),
        newestTs: Number.NEGATIVE_INFINITY,
        lastAnomaly: null,
      };
    series.set(id, entry);
    while (series.size > limits.seriesKept) {
      const oldest = series.keys().next().value as string;
      series.delete(oldest);
    }
    return entry;
  }

  function addPoint(entry: SeriesEntry, p: Score): void {
    if (p.ts > entry.newestTs) {
      entry.newestTs = p.ts;
      entry.points.push(p);
      return;
    }
    const i = entry.points.findLastIndex((q) => q.ts === p.ts);
    if (i >= 0) entry.points.set(i, p);
    else entry.points.push(p); // out of order but new
  }

  function sortedPoints(entry: SeriesEntry): Score[] {
    return entry.points.toArray().sort((a, b) => a.ts - b.ts);
  }

  function latestOf(entry: SeriesEntry): Score | undefined {
    const i = entry.points.findLastIndex((p) => p.ts === entry.newestTs);
    if (i >= 0) return entry.points.at(i);
    // the newest point was overwritten by out-of-order ones: scan
    let best: Score | undefined;
    for (const p of entry.points.toArray()) if (!best || p.ts >= best.ts) best = p;
    return best;
  }

  function statusOf(entry: SeriesEntry, latest: Score | undefined): SeriesView['status'] {
    if (latest) return latest.status;
    return entry.lastAnomaly ? 'ready' : 'learning';
  }

  return {
    addAnomaly(event) {
      const prev = anomalies.get(event.id);
      if (prev && !supersedes(prev.event, event)) return;
      if (prev) anomalies.delete(event.id);
      anomalies.set(event.id, { event, seq: seq++ });
      while (anomalies.size > limits.anomaliesKept) {
        anomalies.delete(anomalies.keys().next().value as string);
      }
      const entry = touch(event.source, event.metric);
      if (!entry.lastAnomaly || supersedes(entry.lastAnomaly, event)) entry.lastAnomaly = event;
      if (listeners.size > 0) emit({ kind: 'anomaly', event, transition: prev?.event.state !== event.state });
    },

    addScores(batch) {
      if (batch.points.length === 0) return;
      const entry = touch(batch.source, batch.metric);
      for (const p of batch.points) addPoint(entry, p);
      if (listeners.size > 0) emit({ kind: 'scores', batch });
    },

    anomalies(query = {}) {
      const out: Kept[] = [];
      for (const kept of anomalies.values()) {
        const e = kept.event;
        if (query.source !== undefined && e.source !== query.source) continue;
        if (query.metric !== undefined && e.metric !== query.metric) continue;
        if (query.since !== undefined && e.ts < query.since) continue;
        out.push(kept);
      }
      out.sort((a, b) => b.event.ts - a.event.ts || b.seq - a.seq);
      const limit = query.limit ?? out.length;
      return out.slice(0, limit).map((k) => k.event);
    },

    series(source, metric, opts = {}) {
      const entry = series.get(seriesId(source, metric));
      if (!entry) return undefined;
      const points = sortedPoints(entry);
      const latest = points[points.length - 1];
      return {
        id: entry.id,
        source: entry.source,
        metric: entry.metric,
        status: statusOf(entry, latest),
        lastTs: latest?.ts ?? null,
        latest: latest ?? null,
        points: opts.limit !== undefined ? points.slice(-opts.limit) : points,
        lastAnomaly: entry.lastAnomaly,
      };
    },

    listSeries(query = {}) {
      const out: SeriesSummary[] = [];
      for (const entry of series.values()) {
        if (query.source !== undefined && entry.source !== query.source) continue;
        if (query.metric !== undefined && entry.metric !== query.metric) continue;
        const latest = latestOf(entry);
        out.push({
          id: entry.id,
          source: entry.source,
          metric: entry.metric,
          status: statusOf(entry, latest),
          lastTs: latest?.ts ?? null,
          lastValue: latest?.value ?? null,
          lastScore: latest?.score ?? null,
          lastAnomalyAt: entry.lastAnomaly?.ts ?? null,
        });
      }
      out.sort((a, b) => (b.lastScore ?? -1) - (a.lastScore ?? -1) || (b.lastTs ?? 0) - (a.lastTs ?? 0));
      return out.slice(0, query.limit ?? out.length);
    },

    stats() {
      return { anomalies: anomalies.size, series: series.size };
    },

    addPrediction(p) {
      const key = JSON.stringify([p.source, p.model.name, p.horizonMs]);
      const prev = predictions.get(key);
      if (prev && prev.ts > p.ts) return;
      predictions.delete(key);
      predictions.set(key, p);
      while (predictions.size > predictionsKept) predictions.delete(predictions.keys().next().value as string);
    },

    predictions(query = {}) {
      const out: Prediction[] = [];
      for (const p of predictions.values()) {
        if (query.source !== undefined && p.source !== query.source) continue;
        if (query.horizonMs !== undefined && p.horizonMs !== query.horizonMs) continue;
        if (query.model !== undefined && p.model.name !== query.model) continue;
        out.push(p);
      }
      out.sort((a, b) => b.ts - a.ts || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
      return out.slice(0, query.limit ?? out.length);
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
