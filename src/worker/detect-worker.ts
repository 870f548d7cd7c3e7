import type { Kafka, Message } from 'kafkajs';
import type { PipelineConfig } from '../config/pipeline.js';
import { createSeriesScorer } from '../detect/index.js';
import type { SeriesScorer } from '../detect/scorer.js';
import { ensureTopics } from '../transport/admin.js';
import {
  type BatchContext,
  type ConsumedBatch,
  type ConsumerRunner,
  type Delivery,
  type RunConsumerOptions,
  runConsumer,
} from '../transport/consumer.js';
import { deadLetterMessage } from '../transport/dlq.js';
import { describeError, isRetriable, StoppedError } from '../transport/errors.js';
import { type Log, silentLog } from '../transport/log.js';
import { type BatchedProducer, createProducer, type ProducerOptions } from '../transport/producer.js';
import { type BatchOutputs, DLQ_STAGE, processBatch } from './process-batch.js';
import { SeriesTable } from './series-table.js';

/**
 * The detect worker: one member of the consumer group `pipeline.worker.groupId` on the metrics topic.
 *
 * Per batch (per partition): validate every message with `MetricPoint` (a bad one is dead-lettered
 * with its original bytes and the reason; the good ones around it go on), score each point with
 * the one scorer from src/detect, and produce one SeriesScores message per series (when
 * `emitScores`), the AnomalyEvents and the dead letters. Delivery is pipelined: the next batches are
 * fetched and scored while earlier outputs are in flight (at most 3 batches per partition), events
 * and dead letters go through their own producer so they never queue behind score batches, and a
 * batch's offsets are committed only once ALL its outputs are acknowledged by the broker, in offset
 * order per partition. Delivery is therefore at-least-once.
 *
 * DE-DUPLICATION: after a crash or a rebalance a batch can be processed twice. Anomaly events carry
 * a deterministic `id` (series, rule, ts of the first hit) — consumers of the anomalies topic must
 * de-duplicate by `id`. SeriesScores may repeat too; de-duplicate points by (source, metric, ts).
 * Score batches of one series arrive in order except after a failed delivery is retried.
 *
 * STATE AFTER A RESTART: per-series scorer state lives in memory only. When this worker gets a
 * partition it did not hold continuously (start-up, rebalance, or a gap in offsets), it drops the
 * state of that partition's series and REBUILDS it BY REPLAY: it seeks to the partition's earliest
 * retained offset and feeds the already-committed messages [earliest, committed) through the same
 * scorer without emitting anything, then continues live from the committed offset. Points between
 * the last commit and a crash are processed again with exactly the state they had the first time,
 * so they yield the same scores and event ids (and consumers drop the duplicates by id). The cost is
 * a re-read of the partition's retained history on every reassignment; a changelog/snapshot topic
 * that bounds it is future work (issue 6). Disable with `replayOnResume: false` (state then restarts
 * cold: detectors re-learn, events during warm-up can be missed). Series evicted by `maxSeries` or
 * `seriesTtl` restart cold too.
 */
export interface DetectWorkerOptions {
  kafka: Kafka;
  pipeline: PipelineConfig;
  log?: Log;
  /** defaults to createSeriesScorer(pipeline) — tests may inject another */
  scorer?: SeriesScorer<unknown>;
  /** create the pipeline's topics if missing (default true) */
  ensureTopics?: boolean;
  /** rebuild state by replay when a partition is (re)assigned (default true) */
  replayOnResume?: boolean;
  /** kafkajs consumer tuning */
  consumer?: Pick<
    RunConsumerOptions,
    | 'partitionsConsumedConcurrently'
    | 'sessionTimeout'
    | 'heartbeatInterval'
    | 'rebalanceTimeout'
    | 'maxBytesPerPartition'
    | 'maxBytes'
    | 'minBytes'
    | 'maxWaitTimeInMs'
    | 'retry'
  >;
  producer?: ProducerOptions;
  /** max points per SeriesScores message (default 2,000) */
  maxPointsPerMessage?: number;
}

export interface DetectWorkerStats {
  /** good points scored live (replays not counted) */
  points: number;
  /** points re-read to rebuild state after a (re)assignment */
  replayedPoints: number;
  dlq: number;
  /** anomaly events produced (firing + resolved) */
  events: number;
  firing: number;
  scoreMessages: number;
  batches: number;
  series: number;
  evictedSeries: number;
  expiredSeries: number;
  keyMismatches: number;
  rebuilds: number;
  retries: number;
  poisonBatches: number;
  commits: number;
  commitFailures: number;
  /** messages behind the high watermark on the assigned partitions (as of the last batches) */
  lag: number;
}

export interface DetectWorker {
  stop(): Promise<void>;
  stats(): DetectWorkerStats;
  /** partitions of the metrics topic this worker holds */
  assignedPartitions(): number[];
  /** resolves once the worker joined its group */
  ready: Promise<void>;
}

/** `p`, or a StoppedError once `signal` aborts (the work behind `p` is abandoned, not cancelled) */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new StoppedError('delivery'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new StoppedError('delivery'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

export async function startDetectWorker(opts: DetectWorkerOptions): Promise<DetectWorker> {
  const { kafka, pipeline } = opts;
  const log = opts.log ?? silentLog;
  const topics = pipeline.topics;
  const scorer =
    opts.scorer ??
    (createSeriesScorer({
      detectors: pipeline.detectors,
      ensemble: pipeline.ensemble,
      alarms: pipeline.alarms,
    }) as SeriesScorer<unknown>);
  const table = new SeriesTable<unknown>({
    maxSeries: pipeline.worker.maxSeries,
    ttlMs: pipeline.worker.seriesTtl,
    init: () => scorer.init(),
  });
  const counts = { points: 0, replayedPoints: 0, dlq: 0, events: 0, firing: 0, scoreMessages: 0, keyMismatches: 0 };
  let warnedKeys = false;

  if (opts.ensureTopics ?? true) {
    await ensureTopics(
      kafka,
      [topics.metrics, topics.scores, topics.anomalies, topics.dlq].map((topic) => ({
        topic,
        partitions: topics.partitions,
      })),
      { log },
    );
  }

  // two producers (each its own connection and in-flight request): anomaly events and dead letters
  // never wait behind a large in-flight request of scores
  const producer: BatchedProducer = createProducer(kafka, { log, ...opts.producer });
  const urgentProducer: BatchedProducer = createProducer(kafka, { log, ...opts.producer });
  await Promise.all([producer.connect(), urgentProducer.connect()]);

  const outputOpts = {
    scorer,
    table,
    topics: { scores: topics.scores, anomalies: topics.anomalies, dlq: topics.dlq },
    emitScores: pipeline.worker.emitScores,
    maxPointsPerMessage: opts.maxPointsPerMessage,
  };

  const deadLetterBatch = (batch: ConsumedBatch, reason: string) =>
    batch.messages.map((m) =>
      deadLetterMessage(m, {
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        error: reason,
        stage: DLQ_STAGE,
      }),
    );

  /**
   * Deliver a batch's outputs until the broker acknowledged them: anomaly events and dead letters
   * through the urgent producer, scores through the bulk one. Transient failures are
   * retried with back-off (only the parts not yet acknowledged); outputs that can never be written
   * (e.g. too large) get the batch's input dead-lettered instead. Rejects only when stopping.
   */
  const deliver = async (batch: ConsumedBatch, out: BatchOutputs, signal: AbortSignal, t1: number) => {
    const urgent = out.topicMessages.filter((t) => t.topic !== topics.scores);
    const bulk = out.topicMessages.filter((t) => t.topic === topics.scores);
    let urgentDone = urgent.length === 0;
    let bulkDone = bulk.length === 0;
    for (let attempt = 1; !(urgentDone && bulkDone); attempt++) {
      try {
        await abortable(
          Promise.all([
            urgentDone ? null : urgentProducer.sendBatch(urgent, { urgent: true }).then(() => (urgentDone = true)),
            bulkDone ? null : producer.sendBatch(bulk).then(() => (bulkDone = true)),
          ]),
          signal,
        );
      } catch (e) {
        if (signal.aborted || e instanceof StoppedError) throw e;
        if (!isRetriable(e) && attempt >= 3) {
          const reason = `worker could not deliver the outputs of this batch: ${describeError(e)}`;
          log.error('dead-lettering a batch whose outputs cannot be written', {
            partition: batch.partition,
            from: batch.messages[0]?.offset,
            error: describeError(e),
          });
          await deliverDeadLetters(deadLetterBatch(batch, reason), signal);
          counts.dlq += batch.messages.length;
          return;
        }
        const delay = Math.min(10_000, 200 * 2 ** Math.min(attempt - 1, 10));
        log.warn('delivering outputs failed; retrying', {
          partition: batch.partition,
          attempt,
          error: describeError(e),
        });
        await abortable(new Promise((r) => setTimeout(r, delay)), signal);
      }
    }
    const first = batch.messages[0];
    log.debug('batch', {
      partition: batch.partition,
      messages: batch.messages.length,
      // how long the first message waited since it was produced (producer clock)
      ageMs: first ? Date.now() - Number(first.timestamp) : undefined,
      deliverMs: Math.round(performance.now() - t1),
    });
    counts.points += out.points;
    counts.dlq += out.dlq;
    counts.events += out.events;
    counts.firing += out.firing;
    counts.scoreMessages += out.scoreMessages;
  };

  /** dead letters, retried until acknowledged (or stopping) */
  const deliverDeadLetters = async (messages: Message[], signal: AbortSignal) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await abortable(urgentProducer.send(topics.dlq, messages, { urgent: true }), signal);
        return;
      } catch (e) {
        if (signal.aborted || e instanceof StoppedError) throw e;
        log.warn('dead-lettering failed; retrying', { attempt, error: describeError(e) });
        await abortable(
          new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** Math.min(attempt - 1, 10)))),
          signal,
        );
      }
    }
  };

  /** pipelined: score now, deliver in the background; the runner commits when `delivered` resolves */
  const handle = async (batch: ConsumedBatch, ctx: BatchContext): Promise<Delivery | undefined> => {
    const t0 = performance.now();
    const out = processBatch(batch, outputOpts);
    const t1 = performance.now();
    if (batch.replay) {
      counts.replayedPoints += batch.messages.length;
      return undefined;
    }
    log.debug('scored', {
      partition: batch.partition,
      messages: batch.messages.length,
      computeMs: Math.round(t1 - t0),
    });
    if (out.keyMismatches > 0) {
      counts.keyMismatches += out.keyMismatches;
      if (!warnedKeys) {
        warnedKeys = true;
        log.warn('messages keyed other than "source|metric": a series split across partitions gets split state', {
          topic: batch.topic,
          partition: batch.partition,
        });
      }
    }
    return { delivered: deliver(batch, out, ctx.signal, t1) };
  };

  const onPoisonBatch = async (batch: ConsumedBatch, error: unknown, ctx: BatchContext) => {
    if (batch.replay) return;
    await deliverDeadLetters(
      deadLetterBatch(batch, `worker could not process this batch: ${describeError(error)}`),
      ctx.signal,
    );
    counts.dlq += batch.messages.length;
  };

  let runner: ConsumerRunner;
  try {
    runner = await runConsumer({
      kafka,
      groupId: pipeline.worker.groupId,
      topics: [topics.metrics],
      fromBeginning: true,
      replayOnResume: opts.replayOnResume ?? true,
      handle,
      onPoisonBatch,
      onPartitionReset: (_topic, partition, reason) => {
        const dropped = table.dropPartition(partition);
        if (dropped > 0) log.info('dropped series state of partition', { partition, series: dropped, reason });
      },
      log,
      // fewer, larger fetch rounds under load (each round = one coalesced produce + commits),
      // at most 20 ms of added latency when the input trickles
      minBytes: 64 * 1024,
      maxWaitTimeInMs: 20,
      maxBytesPerPartition: 2 * 1_048_576,
      maxBytes: 16 * 1_048_576,
      ...opts.consumer,
    });
  } catch (e) {
    await Promise.all([producer.disconnect(), urgentProducer.disconnect()]).catch(() => undefined);
    throw e;
  }

  let stopping: Promise<void> | null = null;
  return {
    ready: runner.ready,
    stop() {
      stopping ??= (async () => {
        await runner.stop();
        await Promise.all([producer.disconnect(), urgentProducer.disconnect()]);
      })();
      return stopping;
    },
    stats() {
      const c = runner.stats();
      return {
        ...counts,
        batches: c.batches,
        series: table.size,
        evictedSeries: table.evictions,
        expiredSeries: table.expirations,
        rebuilds: c.rebuilds,
        retries: c.retries,
        poisonBatches: c.poisonBatches,
        commits: c.commits,
        commitFailures: c.commitFailures,
        lag: runner.lag(),
      };
    },
    assignedPartitions: () => [...(runner.assignedPartitions()[topics.metrics] ?? [])].sort((a, b) => a - b),
  };
}
