import { hostname } from 'node:os';
import type { Kafka, Message } from 'kafkajs';
import type { PipelineConfig } from '../config/pipeline.js';
import { createSeriesScorer } from '../detect/index.js';
import type { SeriesScorer } from '../detect/scorer.js';
import { ensureTopics } from '../transport/admin.js';
import { CHANGELOG_TOPIC_CONFIG, type ChangelogReader, openChangelogReader } from '../transport/changelog.js';
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
import { statePartition, stateTopicFor } from './changelog-record.js';
import { Checkpointer } from './checkpoint.js';
import { type BatchOutputs, DLQ_STAGE, processBatch } from './process-batch.js';
import { RestoreCollector } from './restore.js';
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
 * STATE AFTER A RESTART (warm handover): per-series scorer state lives in memory and is
 * checkpointed to a compacted changelog topic (`faultline.state`, or `<groupId>.state`; see
 * changelog-record.ts and checkpoint.ts): every `checkpoint.intervalMs` (default 5 s), on a
 * rebalance and on a clean stop, the series touched since the previous checkpoint are written with
 * the input offset their state covers — once the outputs up to that offset are delivered. When this
 * worker gets a partition it did not hold continuously (start-up, rebalance, a gap in offsets), it
 * drops that partition's series, RESTORES them from the changelog and replays only the input after
 * the checkpoint up to the committed offset (state only, no outputs), then goes on live. States
 * made by another detector configuration (scorer `revive` fingerprint) or an unknown record format
 * are refused with a log line saying why, and the partition is REBUILT BY REPLAY as without a
 * changelog: seek to the earliest retained offset and feed [earliest, committed) through the same
 * scorer without emitting anything. Either way, points between the last commit and a crash are
 * processed again with exactly the state they had the first time, so they yield the same scores and
 * event ids (and consumers drop the duplicates by id). `checkpoint: false` turns the changelog off
 * (full replay on every reassignment); `replayOnResume: false` as well turns replay off (state
 * restarts cold: detectors re-learn, events during warm-up can be missed). Series evicted by
 * `maxSeries` or `seriesTtl` restart cold too (the changelog forgets them: tombstones).
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
  /**
   * warm handover through the state changelog (default on: every 5 s, topic stateTopicFor(pipeline));
   * false = off. Needs a scorer with `revive` (the faultline scorer has one).
   */
  checkpoint?: false | { intervalMs?: number; topic?: string };
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
  /** the state changelog (warm handover), when on */
  changelog?: ChangelogStats;
  retries: number;
  poisonBatches: number;
  commits: number;
  commitFailures: number;
  /** messages behind the high watermark on the assigned partitions (as of the last batches) */
  lag: number;
}

export interface ChangelogStats {
  topic: string;
  /** partitions resumed from a checkpoint (then only the input after it is replayed) */
  restoredPartitions: number;
  restoredSeries: number;
  /** partitions whose checkpointed state was refused (other configuration / format): rebuilt by replay */
  refusedPartitions: number;
  /** partition checkpoints written, the series records in them (incl. deletions), their bytes, failed writes */
  checkpoints: number;
  checkpointRecords: number;
  checkpointBytes: number;
  checkpointFailures: number;
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

interface Revivable {
  revive(raw: unknown): unknown;
}
const canRevive = (s: unknown): s is Revivable => typeof (s as Partial<Revivable>).revive === 'function';

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
  let checkpointer: Checkpointer | null = null;
  const table = new SeriesTable<unknown>({
    maxSeries: pipeline.worker.maxSeries,
    ttlMs: pipeline.worker.seriesTtl,
    init: () => scorer.init(),
    onDrop: (id, e) => checkpointer?.dropped(id, e.partition),
  });
  const counts = {
    points: 0,
    replayedPoints: 0,
    dlq: 0,
    events: 0,
    firing: 0,
    scoreMessages: 0,
    keyMismatches: 0,
  };
  const restoreCounts = { restoredPartitions: 0, restoredSeries: 0, refusedPartitions: 0 };
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

  // the state changelog: a third producer (checkpoints never queue in front of outputs) and a reader
  let runner: ConsumerRunner | undefined;
  let reader: ChangelogReader | null = null;
  let checkpointProducer: BatchedProducer | null = null;
  let statePartitions = 1;
  const cpOpts = opts.checkpoint === false ? null : (opts.checkpoint ?? {});
  const stateTopic = cpOpts?.topic ?? stateTopicFor(pipeline);
  const revive = canRevive(scorer) ? (raw: unknown) => scorer.revive(raw) : null;
  if (cpOpts && !revive) log.info('the scorer cannot revive checkpointed state: state changelog off');
  if (cpOpts && revive) {
    try {
      const admin = kafka.admin();
      await admin.connect();
      let inputPartitions = topics.partitions;
      try {
        const meta = await admin.fetchTopicMetadata({ topics: [topics.metrics] });
        inputPartitions = meta.topics[0]?.partitions.length || inputPartitions;
      } finally {
        await admin.disconnect();
      }
      await ensureTopics(
        kafka,
        [{ topic: stateTopic, partitions: inputPartitions, config: { ...CHANGELOG_TOPIC_CONFIG } }],
        {
          log,
        },
      );
      checkpointProducer = createProducer(kafka, { log, ...opts.producer });
      await checkpointProducer.connect();
      reader = await openChangelogReader({
        kafka,
        topic: stateTopic,
        groupId: `${pipeline.worker.groupId}.restore.${hostname()}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`,
        log,
      });
      statePartitions = Math.max(1, await reader.partitions());
      checkpointer = new Checkpointer({
        producer: checkpointProducer,
        topic: stateTopic,
        statePartitions,
        table,
        log,
        generation: () => runner?.generation() ?? 0,
        owns: (p) => runner?.assignedPartitions()[topics.metrics]?.includes(p) ?? false,
      });
    } catch (e) {
      await Promise.all([
        producer.disconnect(),
        urgentProducer.disconnect(),
        checkpointProducer?.disconnect(),
        reader?.stop(),
      ]).catch(() => undefined);
      throw e;
    }
  }

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
    const lastMessage = batch.messages[batch.messages.length - 1];
    if (checkpointer && lastMessage) checkpointer.processed(batch.partition, Number(lastMessage.offset));
    if (batch.replay) {
      counts.replayedPoints += out.replayed;
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

  /** the warm start of a newly assigned partition: its series from the changelog (see RestoreCollector) */
  const restore = async (
    _topic: string,
    partition: number,
    committed: string,
    ctx: BatchContext,
  ): Promise<{ from: string } | null> => {
    if (!checkpointer || !reader || !revive) return null;
    checkpointer.reset(partition, Number(committed));
    const t0 = performance.now();
    const what = `${stateTopic} for partition ${partition}`;
    let collector = new RestoreCollector(partition, what);
    for (let attempt = 1; ; attempt++) {
      try {
        const r = reader;
        await r.read(
          statePartition(partition, statePartitions),
          (m) => collector.add(m.key?.toString('utf8') ?? null, m.value?.toString('utf8') ?? null),
          { heartbeat: ctx.heartbeat },
        );
        break;
      } catch (e) {
        if (attempt >= 3 || !ctx.isRunning()) {
          log.warn('could not read the state changelog: rebuilding the partition by replay', {
            partition,
            error: describeError(e),
          });
          return null;
        }
        collector = new RestoreCollector(partition, what);
      }
    }
    const plan = collector.plan(Number(committed), (s) => revive(s) === s);
    if (plan.kind === 'none') {
      // nothing committed yet: nothing to rebuild either
      if (Number(committed) > 0)
        log.info('no checkpoint to restore: the partition is rebuilt by replay', { partition, reason: plan.reason });
      return null;
    }
    if (plan.kind === 'refused') {
      restoreCounts.refusedPartitions++;
      log.warn(`checkpointed state REFUSED: ${plan.reason}. Rebuilding partition ${partition} by replay instead.`, {
        partition,
        refused: plan.refused,
      });
      return null;
    }
    for (const s of plan.series) table.put(s.id, partition, s.state, s.lastTs, s.skipUntil);
    checkpointer.restored(partition, plan.resumeFrom - 1);
    restoreCounts.restoredPartitions++;
    restoreCounts.restoredSeries += plan.series.length;
    log.info('restored partition state from the changelog', {
      partition,
      series: plan.series.length,
      checkpoint: plan.resumeFrom - 1,
      replay: Math.max(0, Number(committed) - plan.resumeFrom),
      records: collector.records,
      ms: Math.round(performance.now() - t0),
    });
    return { from: String(plan.resumeFrom) };
  };

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
        checkpointer?.revoke(partition);
        const dropped = table.dropPartition(partition);
        if (dropped > 0) log.info('dropped series state of partition', { partition, series: dropped, reason });
      },
      ...(checkpointer
        ? {
            restore,
            onCommitted: (_topic: string, partition: number, offset: string) =>
              checkpointer?.committed(partition, Number(offset)),
            // eager rebalance: every partition may move; checkpoint what is delivered (best effort)
            onRebalancing: () => void checkpointer?.checkpoint(undefined, 2_000),
            beforeLeave: async () => {
              const cp = checkpointer;
              if (!cp) return;
              const before = cp.stats.checkpoints;
              await cp.checkpoint(undefined, 5_000);
              log.info('final checkpoint', { partitions: cp.stats.checkpoints - before });
            },
          }
        : {}),
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
    await Promise.all([
      producer.disconnect(),
      urgentProducer.disconnect(),
      checkpointProducer?.disconnect(),
      reader?.stop(),
    ]).catch(() => undefined);
    throw e;
  }
  const liveRunner = runner;

  let stopping: Promise<void> | null = null;
  // every intervalMs — or less often when capturing takes long: checkpoints use at most ~5 % of the CPU
  const intervalMs = cpOpts?.intervalMs ?? 5_000;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (delay: number) => {
    timer = setTimeout(() => {
      const cp = checkpointer;
      if (!cp || stopping) return;
      const round = cp.checkpoint(undefined, Math.max(intervalMs * 4, 10_000));
      void round.finally(() => {
        if (!stopping) schedule(Math.max(intervalMs, 20 * cp.lastCaptureMs));
      });
    }, delay);
    timer.unref();
  };
  if (checkpointer && intervalMs > 0) schedule(intervalMs);

  return {
    ready: liveRunner.ready,
    stop() {
      stopping ??= (async () => {
        if (timer) clearTimeout(timer);
        await liveRunner.stop();
        await reader?.stop();
        await Promise.all([producer.disconnect(), urgentProducer.disconnect(), checkpointProducer?.disconnect()]);
      })();
      return stopping;
    },
    stats() {
      const c = liveRunner.stats();
      const cs = checkpointer?.stats;
      return {
        ...counts,
        batches: c.batches,
        series: table.size,
        evictedSeries: table.evictions,
        expiredSeries: table.expirations,
        rebuilds: c.rebuilds,
        ...(cs ? { changelog: { topic: stateTopic, ...restoreCounts, ...cs } } : {}),
        retries: c.retries,
        poisonBatches: c.poisonBatches,
        commits: c.commits,
        commitFailures: c.commitFailures,
        lag: liveRunner.lag(),
      };
    },
    assignedPartitions: () => [...(liveRunner.assignedPartitions()[topics.metrics] ?? [])].sort((a, b) => a - b),
  };
}
