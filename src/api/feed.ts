import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { z } from 'zod';
import { AnomalyEvent, SeriesScores } from '../contracts/index.js';
import { Prediction } from '../contracts/prediction.js';
import { type Log, silentLog } from '../transport/log.js';
import type { Views } from './views.js';

export interface ViewFeedOptions {
  kafka: Kafka;
  /** `predictions` (optional): model predictions kept as the latest per source, model and horizon */
  topics: { anomalies: string; scores: string; predictions?: string };
  views: Views;
  /** default `faultline-api-<random>`: every API instance reads everything and rebuilds its views */
  groupId?: string;
  /** default true: a restarted API rebuilds its views from the start of the (retained) log */
  fromBeginning?: boolean;
  /** invalid messages and consumer crashes are reported here (default: silent) */
  log?: Log;
}

export interface ViewFeedStats {
  anomalies: number;
  scores: number;
  /** present when the feed reads the predictions topic */
  predictions?: number;
  invalid: number;
}

export interface ViewFeed {
  readonly groupId: string;
  /** true once the consumer joined its group with partitions, until a rebalance, crash or stop */
  assigned(): boolean;
  stats(): ViewFeedStats;
  stop(): Promise<void>;
}

/** Invalid messages are logged for the first few, then one in this many (they are also counted). */
const LOG_FIRST_INVALID = 20;
const LOG_EVERY_INVALID = 1000;

/**
 * Consumes the anomaly and scores topics into the views. A message that is not JSON or fails its
 * zod schema is logged and skipped; the feed keeps running.
 */
export async function startViewFeed(opts: ViewFeedOptions): Promise<ViewFeed> {
  const { kafka, topics, views } = opts;
  const log = opts.log ?? silentLog;
  const groupId = opts.groupId ?? `faultline-api-${randomUUID()}`;
  const counts: ViewFeedStats = { anomalies: 0, scores: 0, predictions: 0, invalid: 0 };
  let isAssigned = false;
  let stopped = false;

  const consumer: Consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    const parts = Object.values(e.payload.memberAssignment).reduce((n, p) => n + p.length, 0);
    isAssigned = parts > 0;
  });
  consumer.on(consumer.events.REBALANCING, () => {
    isAssigned = false;
  });
  consumer.on(consumer.events.CRASH, (e) => {
    isAssigned = false;
    log.warn('view feed consumer crashed', { error: e.payload.error?.message, restart: e.payload.restart });
  });
  consumer.on(consumer.events.STOP, () => {
    isAssigned = false;
  });

  function invalid(topic: string, partition: number, m: KafkaMessage, reason: string): void {
    counts.invalid++;
    if (counts.invalid <= LOG_FIRST_INVALID || counts.invalid % LOG_EVERY_INVALID === 0) {
      log.warn('view feed skipped an invalid message', {
        topic,
        partition,
        offset: m.offset,
        reason,
        skipped: counts.invalid,
      });
    }
  }

  function decode<S extends z.ZodType>(
    schema: S,
    topic: string,
    partition: number,
    m: KafkaMessage,
  ): z.output<S> | null {
    if (!m.value) {
      invalid(topic, partition, m, 'empty value');
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(m.value.toString('utf8'));
    } catch (err) {
      invalid(topic, partition, m, `not JSON: ${(err as Error).message}`);
      return null;
    }
    const r = schema.safeParse(json);
    if (!r.success) {
      const first = r.error.issues[0];
      invalid(topic, partition, m, first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid');
      return null;
    }
    return r.data;
  }

  function handle(topic: string, partition: number, m: KafkaMessage): void {
    if (topic === topics.anomalies) {
      const e = decode(AnomalyEvent, topic, partition, m);
      if (e) {
        views.addAnomaly(e);
        counts.anomalies++;
      }
    } else if (topic === topics.scores) {
      const s = decode(SeriesScores, topic, partition, m);
      if (s) {
        views.addScores(s);
        counts.scores++;
      }
    } else if (topic === topics.predictions) {
      const p = decode(Prediction, topic, partition, m);
      if (p) {
        views.addPrediction(p);
        counts.predictions = (counts.predictions ?? 0) + 1;
      }
    }
  }

  async function eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    let n = 0;
    for (const m of batch.messages) {
      if (!isRunning() || isStale()) break;
      try {
        handle(batch.topic, batch.partition, m);
      } catch (err) {
        // a view bug must not stop the feed
        invalid(batch.topic, batch.partition, m, `view update failed: ${(err as Error).message}`);
      }
      resolveOffset(m.offset);
      if (++n % 500 === 0) await heartbeat();
    }
    await heartbeat();
  }

  await consumer.connect();
  try {
    const subscribed = [topics.anomalies, topics.scores, ...(topics.predictions ? [topics.predictions] : [])];
    await consumer.subscribe({ topics: subscribed, fromBeginning: opts.fromBeginning ?? true });
    await consumer.run({ eachBatch });
  } catch (err) {
    await consumer.disconnect().catch(() => {});
    throw err;
  }

  return {
    groupId,
    assigned: () => isAssigned && !stopped,
    stats: () => ({ ...counts }),
    async stop() {
      if (stopped) return;
      stopped = true;
      isAssigned = false;
      await consumer.disconnect();
    },
  };
}
