import type { Kafka, Message } from 'kafkajs';
import type { PipelineConfig } from '../config/pipeline.js';
import { Prediction } from '../contracts/prediction.js';
import { TOPICS } from '../contracts/topics.js';
import { initBackend } from '../ml/backend.js';
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
import { decodeMetricMessage } from '../transport/metric-codec.js';
import { type BatchedProducer, createProducer, type TopicMessages } from '../transport/producer.js';
import { AutoencoderAlarms } from './ae-events.js';
import { ServedModel, type ServedModelStats } from './served.js';

export const PREDICT_DLQ_STAGE = 'predict';

/**
 * The predict worker: its own consumer group (`models.groupId`) on the metrics topic. Per batch:
 * every message is validated (MetricMessage; a bad one is dead-lettered with its original bytes and
 * the reason, the rest go on), each point goes to every served model's row assembler, complete rows
 * go through the model's PredictionStream (the ONE feature pipeline shared with training), and the
 * predictions — validated against the Prediction contract — are written to the predictions topic
 * (key = source). Served autoencoders also write AnomalyEvents (pipeline alarm rules on their score).
 * Offsets are committed only once the batch's outputs are acknowledged (at-least-once; prediction
 * ids are deterministic: source, model@version, ts).
 *
 * The registry is polled every `models.pollInterval`; a new or newly promoted version is hot-swapped
 * in between two batches (see ServedModel); a corrupt or mismatched one is refused with a logged
 * error and the running version stays live. When a partition is assigned, its last
 * `models.warmupMessages` messages are re-read state-only to re-warm the windows.
 *
 * Sources: a source's metrics arrive on several partitions; its rows are assembled across them
 * (RowAssembler), so one worker should hold every partition carrying a source — run ONE predict
 * worker per group (a second one only takes over on failure), or several when the sources'
 * metrics are keyed so that a source stays on one partition.
 */
export interface PredictWorkerOptions {
  kafka: Kafka;
  pipeline: PipelineConfig;
  /** registry folder (default: pipeline.models.dir) */
  modelsDir?: string;
  log?: Log;
  /** create the topics if missing (default true) */
  ensureTopics?: boolean;
  /** registry poll interval override, ms (default pipeline.models.pollInterval; 0 = only `poll()`) */
  pollIntervalMs?: number;
  consumer?: Pick<
    RunConsumerOptions,
    'sessionTimeout' | 'heartbeatInterval' | 'rebalanceTimeout' | 'maxBytesPerPartition' | 'maxWaitTimeInMs' | 'retry'
  >;
}

export interface PredictWorkerStats {
  backend: string;
  /** good points consumed live */
  points: number;
  predictions: number;
  /** anomaly events from served autoencoders */
  events: number;
  dlq: number;
  /** predictions that failed the contract (a bug: logged, not sent) */
  invalidPredictions: number;
  inferenceErrors: number;
  replayedMessages: number;
  batches: number;
  commits: number;
  commitFailures: number;
  lag: number;
  models: ServedModelStats[];
}

export interface PredictWorker {
  ready: Promise<void>;
  /** check the registry now (as the timer does); resolves when every model was checked */
  poll(): Promise<void>;
  stop(): Promise<void>;
  stats(): PredictWorkerStats;
}

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

const sleep = (ms: number, signal: AbortSignal) => abortable(new Promise((r) => setTimeout(r, ms)), signal);

export async function startPredictWorker(opts: PredictWorkerOptions): Promise<PredictWorker> {
  const { kafka, pipeline } = opts;
  const log = opts.log ?? silentLog;
  const cfg = pipeline.models;
  const root = opts.modelsDir ?? cfg.dir;
  const topics = {
    metrics: pipeline.topics.metrics,
    predictions: pipeline.topics.predictions ?? TOPICS.predictions,
    anomalies: pipeline.topics.anomalies,
    dlq: pipeline.topics.dlq,
  };
  const backend = await initBackend();
  log.info(`tfjs backend: ${backend.name}`);
  if (opts.ensureTopics ?? true) {
    await ensureTopics(
      kafka,
      Object.values(topics).map((topic) => ({ topic, partitions: pipeline.topics.partitions })),
      { log },
    );
  }

  const served = cfg.serve.map(
    (name) =>
      new ServedModel({
        name,
        root,
        backend: backend.name,
        limits: cfg.limits,
        graceMs: cfg.rowGrace,
        log,
      }),
  );
  const alarms = new Map(served.map((s) => [s.name, new AutoencoderAlarms(pipeline.alarms)]));
  const pollAll = async () => {
    await Promise.all(served.map((s) => s.poll()));
  };
  await pollAll();

  const counts = {
    points: 0,
    predictions: 0,
    events: 0,
    dlq: 0,
    invalidPredictions: 0,
    inferenceErrors: 0,
    replayedMessages: 0,
  };
  const producer: BatchedProducer = createProducer(kafka, { log });
  await producer.connect();

  const deadLetters = (batch: ConsumedBatch, reason: (offset: string) => string | null): Message[] => {
    const out: Message[] = [];
    for (const m of batch.messages) {
      const error = reason(m.offset);
      if (error === null) continue;
      out.push(
        deadLetterMessage(m, {
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          error,
          stage: PREDICT_DLQ_STAGE,
        }),
      );
    }
    return out;
  };

  /** send until acknowledged; outputs that can never be written get the batch input dead-lettered */
  const deliver = async (
    batch: ConsumedBatch,
    out: TopicMessages[],
    tally: { predictions: number; events: number; dlq: number; points: number },
    signal: AbortSignal,
  ) => {
    for (let attempt = 1; out.length > 0; attempt++) {
      try {
        await abortable(producer.sendBatch(out), signal);
        break;
      } catch (e) {
        if (signal.aborted || e instanceof StoppedError) throw e;
        if (!isRetriable(e) && attempt >= 3) {
          const reason = `predict worker could not deliver the outputs of this batch: ${describeError(e)}`;
          log.error('dead-lettering a batch whose predictions cannot be written', {
            partition: batch.partition,
            error: describeError(e),
          });
          const dlq = deadLetters(batch, () => reason);
          for (let a = 1; ; a++) {
            try {
              await abortable(producer.send(topics.dlq, dlq, { urgent: true }), signal);
              break;
            } catch (e2) {
              if (signal.aborted || e2 instanceof StoppedError) throw e2;
              await sleep(Math.min(10_000, 200 * 2 ** Math.min(a, 10)), signal);
            }
          }
          counts.dlq += dlq.length;
          return;
        }
        log.warn('delivering predictions failed; retrying', { attempt, error: describeError(e) });
        await sleep(Math.min(10_000, 200 * 2 ** Math.min(attempt - 1, 10)), signal);
      }
    }
    counts.points += tally.points;
    counts.predictions += tally.predictions;
    counts.events += tally.events;
    counts.dlq += tally.dlq;
  };

  const handle = async (batch: ConsumedBatch, ctx: BatchContext): Promise<Delivery | undefined> => {
    const live = !batch.replay;
    const bad = new Map<string, string>();
    let points = 0;
    for (const m of batch.messages) {
      const d = decodeMetricMessage(m.value);
      if (!d.ok) {
        bad.set(m.offset, d.error);
        continue;
      }
      for (const p of d.value) for (const s of served) s.ingest(p);
      points += d.value.length;
    }
    const predictions: Message[] = [];
    const events: Message[] = [];
    for (const s of served) {
      let preds: Prediction[];
      try {
        preds = s.predict();
      } catch (e) {
        counts.inferenceErrors++;
        log.error(`model ${s.name}: inference failed (its rows of this batch get no prediction)`, {
          error: describeError(e),
        });
        continue;
      }
      if (!live) continue;
      const ae = cfg.anomalyEvents ? alarms.get(s.name) : undefined;
      for (const p of preds) {
        const r = Prediction.safeParse(p);
        if (!r.success) {
          counts.invalidPredictions++;
          if (counts.invalidPredictions <= 5)
            log.error(`model ${s.name}: a prediction does not match the contract (not sent)`, {
              issue: `${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`,
            });
          continue;
        }
        predictions.push({ key: p.source, value: JSON.stringify(p) });
        if (ae)
          for (const ev of ae.step(p)) events.push({ key: `${ev.source}|${ev.metric}`, value: JSON.stringify(ev) });
      }
    }
    if (!live) {
      counts.replayedMessages += batch.messages.length;
      return undefined;
    }
    const dlq = bad.size > 0 ? deadLetters(batch, (o) => bad.get(o) ?? null) : [];
    const out: TopicMessages[] = [];
    if (predictions.length > 0) out.push({ topic: topics.predictions, messages: predictions });
    if (events.length > 0) out.push({ topic: topics.anomalies, messages: events });
    if (dlq.length > 0) out.push({ topic: topics.dlq, messages: dlq });
    const tally = { predictions: predictions.length, events: events.length, dlq: dlq.length, points };
    return { delivered: deliver(batch, out, tally, ctx.signal) };
  };

  const warmup = BigInt(cfg.warmupMessages);
  let runner: ConsumerRunner;
  try {
    runner = await runConsumer({
      kafka,
      groupId: cfg.groupId,
      topics: [topics.metrics],
      fromBeginning: true,
      handle,
      onPoisonBatch: async (batch, error, ctx) => {
        if (batch.replay) return;
        const reason = `predict worker could not process this batch: ${describeError(error)}`;
        const dlq = deadLetters(batch, () => reason);
        await abortable(producer.send(topics.dlq, dlq, { urgent: true }), ctx.signal);
        counts.dlq += dlq.length;
      },
      // re-warm the windows from the partition's recent past (state only, nothing emitted)
      restore: async (_topic, _partition, committed) => {
        const c = BigInt(committed);
        const from = c > warmup ? c - warmup : 0n;
        return from < c ? { from: from.toString() } : null;
      },
      log,
      maxWaitTimeInMs: 100,
      ...opts.consumer,
    });
  } catch (e) {
    await producer.disconnect().catch(() => undefined);
    for (const s of served) s.dispose();
    throw e;
  }
  const liveRunner = runner;

  const every = opts.pollIntervalMs ?? cfg.pollInterval;
  const timer = every > 0 ? setInterval(() => void pollAll(), every) : undefined;
  timer?.unref();

  let stopping: Promise<void> | null = null;
  return {
    ready: liveRunner.ready,
    poll: pollAll,
    stop() {
      stopping ??= (async () => {
        if (timer) clearInterval(timer);
        await liveRunner.stop();
        await producer.disconnect();
        for (const s of served) s.dispose();
      })();
      return stopping;
    },
    stats() {
      const c = liveRunner.stats();
      return {
        backend: backend.name,
        ...counts,
        batches: c.batches,
        commits: c.commits,
        commitFailures: c.commitFailures,
        lag: liveRunner.lag(),
        models: served.map((s) => s.stats()),
      };
    },
  };
}
