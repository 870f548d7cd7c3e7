import type { KafkaMessage, Message } from 'kafkajs';
import type { AnomalyEvent } from '../contracts/anomaly.js';
import type { Score, SeriesScores } from '../contracts/score.js';
import { seriesId } from '../contracts/series.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import type { SeriesMeta, SeriesScorer } from '../detect/scorer.js';
import type { ConsumedBatch } from '../transport/consumer.js';
import { deadLetterMessage } from '../transport/dlq.js';
import { describeError } from '../transport/errors.js';
import { decodeMetricMessage } from '../transport/metric-codec.js';
import type { TopicMessages } from '../transport/producer.js';
import type { SeriesTable } from './series-table.js';

export const DLQ_STAGE = 'detect';

export interface OutputTopics {
  scores: string;
  anomalies: string;
  dlq: string;
}

export interface BatchOutputs {
  /** messages to produce, at most one entry per topic */
  topicMessages: TopicMessages[];
  points: number;
  /** points of a replay slice applied to state (no outputs) */
  replayed: number;
  dlq: number;
  events: number;
  firing: number;
  scoreMessages: number;
  /** points whose message key is not seriesId(source, metric) (their series may be split across partitions) */
  keyMismatches: number;
}

export interface BatchProcessorOptions<S> {
  scorer: SeriesScorer<S>;
  table: SeriesTable<S>;
  topics: OutputTopics;
  emitScores: boolean;
  /** split a series' scores into messages of at most this many points (default 2,000 ≈ 0.5 MB) */
  maxPointsPerMessage?: number;
}

/** src/detect's scorer also offers `updateFast` (same computation, no Score object built) */
interface FastScorer<S> {
  updateFast(state: S, ts: number, value: number | null, meta: SeriesMeta): { events: AnomalyEvent[] };
}

function hasUpdateFast<S>(s: SeriesScorer<S>): s is SeriesScorer<S> & FastScorer<S> {
  return typeof (s as Partial<FastScorer<S>>).updateFast === 'function';
}

interface SeriesAcc {
  meta: SeriesMeta;
  points: Score[];
  /** input offset of each point in `points` */
  offsets: string[];
}

/**
 * Score one batch slice: validate each message — one point or a batch of one series' points — (a
 * bad one becomes a dead letter, the rest go on),
 * update the series' scorer state, and build the outputs — one SeriesScores message per series
 * (chunked), the anomaly events, the dead letters. A replay slice only updates state.
 * Synchronous and deterministic for a given state and input: no I/O, no clock except the DLQ time.
 */
export function processBatch<S>(batch: ConsumedBatch, opts: BatchProcessorOptions<S>): BatchOutputs {
  const { scorer, table, topics } = opts;
  const live = !batch.replay;
  const emitScores = live && opts.emitScores;
  const maxPoints = Math.max(1, opts.maxPointsPerMessage ?? 2_000);
  const dlq: Message[] = [];
  const anomalies: Message[] = [];
  const accs = new Map<string, SeriesAcc>();
  const out: BatchOutputs = {
    topicMessages: [],
    points: 0,
    replayed: 0,
    dlq: 0,
    events: 0,
    firing: 0,
    scoreMessages: 0,
    keyMismatches: 0,
  };
  // the allocation-free path of the faultline scorer, when no Score objects are needed
  const fast = hasUpdateFast(scorer) ? scorer.updateFast.bind(scorer) : undefined;
  let lastEntryId = '';
  let lastEntry: ReturnType<SeriesTable<S>['acquire']> | undefined;
  let lastAcc: SeriesAcc | undefined;

  const reject = (m: KafkaMessage, error: string) => {
    if (!live) return;
    dlq.push(
      deadLetterMessage(m, {
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        error,
        stage: DLQ_STAGE,
      }),
    );
  };

  for (const m of batch.messages) {
    const d = decodeMetricMessage(m.value);
    if (!d.ok) {
      reject(m, d.error);
      continue;
    }
    for (const p of d.value) {
      const id = seriesId(p.source, p.metric);
      let entry = lastEntry;
      let acc = lastAcc;
      if (id !== lastEntryId || !entry || !acc) {
        acc = accs.get(id);
        if (!acc) {
          acc = { meta: { source: p.source, metric: p.metric }, points: [], offsets: [] };
          accs.set(id, acc);
          entry = table.acquire(id, batch.partition);
          if (live && m.key !== null && m.key.toString() !== id) out.keyMismatches++;
        } else {
          entry = table.peek(id) ?? table.acquire(id, batch.partition);
        }
        lastEntryId = id;
        lastEntry = entry;
        lastAcc = acc;
      }
      if (entry.skipUntil >= 0) {
        // restored from a checkpoint that already covers this offset (see SeriesEntry.skipUntil)
        if (Number(m.offset) <= entry.skipUntil) continue;
        entry.skipUntil = -1;
      }
      const meta: SeriesMeta = p.labels ? { source: p.source, metric: p.metric, labels: p.labels } : acc.meta;
      let events: readonly AnomalyEvent[];
      let score: Score | undefined;
      try {
        if (fast && !emitScores) {
          events = fast(entry.state, p.ts, p.value, meta).events;
        } else {
          const r = scorer.update(entry.state, { ts: p.ts, value: p.value }, meta);
          events = r.events;
          score = r.score;
        }
      } catch (e) {
        // a scorer bug must not stop the stream: the point is dead-lettered with the reason
        reject(m, `scorer failed: ${describeError(e)}`);
        continue;
      }
      table.observe(entry, p.ts);
      if (!live) {
        out.replayed++;
        continue;
      }
      out.points++;
      if (emitScores && score) {
        acc.points.push(score);
        acc.offsets.push(m.offset);
      }
      for (const ev of events) {
        anomalies.push({ key: id, value: JSON.stringify(ev) });
        out.events++;
        if (ev.state === 'firing') out.firing++;
      }
    }
  }
  table.sweep();

  if (emitScores) {
    const scores: Message[] = [];
    for (const [id, acc] of accs) {
      const n = acc.points.length;
      for (let i = 0; i < n; i += maxPoints) {
        const end = Math.min(n, i + maxPoints);
        const value: SeriesScores = {
          v: SCHEMA_VERSION,
          source: acc.meta.source,
          metric: acc.meta.metric,
          partition: batch.partition,
          fromOffset: acc.offsets[i] as string,
          toOffset: acc.offsets[end - 1] as string,
          points: n <= maxPoints ? acc.points : acc.points.slice(i, end),
        };
        scores.push({ key: id, value: JSON.stringify(value) });
      }
    }
    out.scoreMessages = scores.length;
    if (scores.length > 0) out.topicMessages.push({ topic: topics.scores, messages: scores });
  }
  if (anomalies.length > 0) out.topicMessages.push({ topic: topics.anomalies, messages: anomalies });
  if (dlq.length > 0) out.topicMessages.push({ topic: topics.dlq, messages: dlq });
  out.dlq = dlq.length;
  return out;
}
