import type { KafkaMessage } from 'kafkajs';
import type { PipelineConfig } from '../config/pipeline.js';
import type { AnomalyEvent } from '../contracts/anomaly.js';
import type { MetricPoint } from '../contracts/metric.js';
import { seriesId } from '../contracts/series.js';
import { createSeriesScorer } from '../detect/index.js';
import type { SeriesScorer } from '../detect/scorer.js';
import type { ConsumedBatch } from '../transport/consumer.js';
import { decodeMetricMessage } from '../transport/metric-codec.js';
import { processBatch } from '../worker/process-batch.js';
import { SeriesTable } from '../worker/series-table.js';
import type { Window } from './source.js';

export interface SeriesCount {
  series: string;
  points: number;
  firing: number;
  resolved: number;
}

export interface BacktestRun {
  pipeline: string;
  window: Window;
  input: {
    messages: number;
    /** valid points scored (warm-up included) */
    points: number;
    /** points before the window start: they trained the detectors, their decisions are not reported */
    warmupPoints: number;
    /** messages a live worker would have dead-lettered */
    invalidMessages: number;
    series: number;
    /** data time of the first and last point scored (null: none) */
    firstTs: number | null;
    lastTs: number | null;
  };
  /** the anomaly events the pipeline decides within the window, by (ts, id) */
  events: AnomalyEvent[];
  /** per series with at least one event in the window, most firing first */
  series: SeriesCount[];
  /** every series of the input (not part of the report) */
  seriesIds: ReadonlySet<string>;
}

const FAR_FUTURE = 8.64e15; // the largest Date: the series table's wall-clock cap never applies

/**
 * Runs a pipeline over stored history with the exact code of the live detect worker — the same
 * scorer (`createSeriesScorer`), the same per-batch processing (`processBatch`: validation, dead
 * letters, alarm rules, event ids) and the same series table (eviction, data-time ttl) — with
 * time from the data only. Feed batches of one input partition in offset order (partitions one
 * after the other, or interleaved: series never span partitions); deterministic for a given
 * sequence of batches.
 */
export class Backtest {
  private readonly scorer: SeriesScorer<unknown>;
  private readonly table: SeriesTable<unknown>;
  private readonly events: AnomalyEvent[] = [];
  private readonly perSeries = new Map<string, SeriesCount>();
  private readonly window: Window;
  private messages = 0;
  private points = 0;
  private warmup = 0;
  private invalid = 0;
  private firstTs = Number.POSITIVE_INFINITY;
  private lastTs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly pipeline: PipelineConfig,
    window: Window = { start: null, end: null },
    scorer?: SeriesScorer<unknown>,
  ) {
    this.window = window;
    this.scorer =
      scorer ??
      (createSeriesScorer({
        detectors: pipeline.detectors,
        ensemble: pipeline.ensemble,
        alarms: pipeline.alarms,
      }) as SeriesScorer<unknown>);
    this.table = new SeriesTable<unknown>({
      maxSeries: pipeline.worker.maxSeries,
      ttlMs: pipeline.worker.seriesTtl,
      init: () => this.scorer.init(),
      now: () => FAR_FUTURE,
    });
  }

  /** one slice of one input partition, in offset order */
  feed(batch: ConsumedBatch): void {
    const { start, end } = this.window;
    const messages: KafkaMessage[] = [];
    for (const m of batch.messages) {
      this.messages++;
      const d = decodeMetricMessage(m.value);
      if (!d.ok) {
        this.invalid++;
        continue;
      }
      let kept: MetricPoint[] = d.value;
      if (end !== null && kept.some((p) => p.ts >= end)) kept = kept.filter((p) => p.ts < end);
      if (kept.length === 0) continue;
      messages.push(kept === d.value ? m : { ...m, value: Buffer.from(JSON.stringify(kept)) });
      for (const p of kept) {
        const id = seriesId(p.source, p.metric);
        let c = this.perSeries.get(id);
        if (!c) {
          c = { series: id, points: 0, firing: 0, resolved: 0 };
          this.perSeries.set(id, c);
        }
        c.points++;
        this.points++;
        if (start !== null && p.ts < start) this.warmup++;
        if (p.ts < this.firstTs) this.firstTs = p.ts;
        if (p.ts > this.lastTs) this.lastTs = p.ts;
      }
    }
    if (messages.length === 0) return;
    const out = processBatch(
      { topic: batch.topic, partition: batch.partition, messages, replay: false },
      {
        scorer: this.scorer,
        table: this.table,
        topics: { scores: 'scores', anomalies: 'anomalies', dlq: 'dlq' },
        emitScores: false,
      },
    );
    for (const tm of out.topicMessages) {
      if (tm.topic !== 'anomalies') continue;
      for (const m of tm.messages) {
        const e = JSON.parse(String(m.value)) as AnomalyEvent;
        if (start !== null && e.ts < start) continue;
        this.events.push(e);
        const c = this.perSeries.get(seriesId(e.source, e.metric));
        if (c) {
          if (e.state === 'firing') c.firing++;
          else c.resolved++;
        }
      }
    }
  }

  finish(): BacktestRun {
    const events = [...this.events].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const series = [...this.perSeries.values()]
      .filter((c) => c.firing + c.resolved > 0)
      .sort((a, b) => b.firing - a.firing || b.resolved - a.resolved || (a.series < b.series ? -1 : 1));
    return {
      pipeline: this.pipeline.name,
      window: this.window,
      input: {
        messages: this.messages,
        points: this.points,
        warmupPoints: this.warmup,
        invalidMessages: this.invalid,
        series: this.perSeries.size,
        firstTs: Number.isFinite(this.firstTs) ? this.firstTs : null,
        lastTs: Number.isFinite(this.lastTs) ? this.lastTs : null,
      },
      events,
      series,
      seriesIds: new Set(this.perSeries.keys()),
    };
  }
}
