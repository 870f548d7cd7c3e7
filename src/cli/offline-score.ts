import type { PipelineConfig } from '../config/pipeline.js';
import { seriesId } from '../contracts/series.js';
import { createSeriesScorer, type SeriesState } from '../detect/index.js';
import type { PointRow } from '../ingest/rows.js';

/** One output line of `faultline score`. */
export interface ScoreLine {
  /** epoch ms of the row */
  ts: number;
  /** combined score on the common scale: the max over the row's metrics */
  score: number;
  /** each metric's combined score, by metric name (`source|metric` when the input has several sources) */
  scores: Record<string, number>;
  /** present when an alarm rule fired at this row */
  anomaly?: true;
  /** why, when anomaly: which metric, how far from expected */
  reason?: string;
}

export interface OfflineScoreOptions {
  /** name scores by metric only (single-source input) or by series id */
  keyBy: 'metric' | 'series';
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Score rows offline with the same scorer the Kafka worker uses (`createSeriesScorer`): one
 * state per series, one output line per input row.
 */
export async function* scoreRows(
  rows: AsyncIterable<PointRow>,
  pipeline: Pick<PipelineConfig, 'detectors' | 'ensemble' | 'alarms'>,
  opts: OfflineScoreOptions = { keyBy: 'metric' },
): AsyncGenerator<ScoreLine> {
  const scorer = createSeriesScorer({
    detectors: pipeline.detectors,
    ensemble: pipeline.ensemble,
    alarms: pipeline.alarms,
  });
  const states = new Map<string, SeriesState>();
  for await (const row of rows) {
    const out: ScoreLine = { ts: row.ts, score: 0, scores: {} };
    const reasons: string[] = [];
    for (const p of row.points) {
      const id = seriesId(p.source, p.metric);
      let state = states.get(id);
      if (state === undefined) {
        state = scorer.init();
        states.set(id, state);
      }
      const meta = p.labels
        ? { source: p.source, metric: p.metric, labels: p.labels }
        : { source: p.source, metric: p.metric };
      const { score, events } = scorer.update(state, { ts: p.ts, value: p.value }, meta);
      const s = round(score.score);
      out.scores[opts.keyBy === 'metric' ? p.metric : id] = s;
      if (s > out.score) out.score = s;
      for (const e of events) if (e.state === 'firing') reasons.push(e.reason);
    }
    if (reasons.length > 0) {
      out.anomaly = true;
      out.reason = reasons.join('; ');
    }
    yield out;
  }
}

/** Merge consecutive rows with the same timestamp (JSONL: one point per line) into one row. */
export async function* groupByTs(rows: AsyncIterable<PointRow>): AsyncGenerator<PointRow> {
  let cur: PointRow | undefined;
  for await (const row of rows) {
    if (cur && row.ts === cur.ts) {
      cur.points.push(...row.points);
      cur.bytes = row.bytes;
      continue;
    }
    if (cur) yield cur;
    cur = { ...row, points: [...row.points] };
  }
  if (cur) yield cur;
}
