import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { describeError, TransportError } from './errors.js';
import { type Log, silentLog } from './log.js';

/** Reading a partition failed or stalled; a retry (or doing without it) can help. */
export class PartitionReadError extends TransportError {
  constructor(message: string, cause?: unknown) {
    super(message, { retriable: true, cause });
  }
}

export interface ReadOptions {
  /** called every ~500 ms while waiting (keep another group membership alive) */
  heartbeat?: () => Promise<void>;
  /** give up when no message arrived for this long (default 30 s) */
  stallMs?: number;
}

export interface PartitionReader {
  /** partitions of the topic */
  partitions(): Promise<number>;
  /**
   * Hand every message of `partition`, from its earliest retained offset up to the end as of the
   * call, to `onMessage` in offset order (compaction leaves gaps in the offsets). Tombstones come
   * with `value: null`. Reads of different partitions may run at once.
   */
  read(partition: number, onMessage: (m: KafkaMessage) => void, opts?: ReadOptions): Promise<{ messages: number }>;
  stop(): Promise<void>;
}

interface Request {
  low: bigint;
  high: bigint;
  onMessage: (m: KafkaMessage) => void;
  messages: number;
  lastProgress: number;
  resolve: () => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Reads whole partitions of one topic on demand (a changelog to restore from, history to
 * backtest): one consumer of its own group (`groupId`, unique per process: it never commits),
 * joined once and kept with every partition paused; a read seeks the partition to its beginning,
 * resumes it until the end seen at the call, and pauses it again. (kafkajs has no manual
 * assignment; a group of one member gets every partition.)
 */
export async function openPartitionReader(opts: {
  kafka: Kafka;
  topic: string;
  groupId: string;
  log?: Log;
}): Promise<PartitionReader> {
  const { kafka, topic } = opts;
  const log = opts.log ?? silentLog;
  const active = new Map<number, Request>();
  const chains = new Map<number, Promise<unknown>>();
  let stopped = false;

  const admin: Admin = kafka.admin();
  await admin.connect();
  const consumer: Consumer = kafka.consumer({
    groupId: opts.groupId,
    maxWaitTimeInMs: 100,
    minBytes: 1,
    maxBytesPerPartition: 8 * 1_048_576,
    maxBytes: 32 * 1_048_576,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    allowAutoTopicCreation: false,
    retry: { retries: 10 },
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, isStale }) => {
        const req = active.get(batch.partition);
        if (!req || isStale()) return;
        let done = false;
        for (const m of batch.messages) {
          const o = BigInt(m.offset);
          if (o < req.low || o >= req.high) continue;
          req.onMessage(m);
          req.messages++;
          if (o >= req.high - 1n) done = true;
        }
        req.lastProgress = Date.now();
        if (done || BigInt(batch.lastOffset()) >= req.high - 1n) finish(batch.partition, req);
      },
    });
    consumer.pause([{ topic }]);
  } catch (e) {
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    throw e;
  }

  const finish = (partition: number, req: Request) => {
    if (active.get(partition) !== req) return;
    active.delete(partition);
    try {
      consumer.pause([{ topic, partitions: [partition] }]);
    } catch {
      // stopping
    }
    req.resolve();
  };

  const readOnce = async (
    partition: number,
    onMessage: (m: KafkaMessage) => void,
    ro: ReadOptions,
  ): Promise<{ messages: number }> => {
    if (stopped) throw new PartitionReadError('partition reader stopped');
    const rows = await admin.fetchTopicOffsets(topic);
    const row = rows.find((r) => r.partition === partition);
    if (!row) throw new PartitionReadError(`topic ${topic} has no partition ${partition}`);
    const low = BigInt(row.low);
    const high = BigInt(row.high);
    if (high <= low) return { messages: 0 };
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const req: Request = { low, high, onMessage, messages: 0, lastProgress: Date.now(), resolve: resolveDone };
    active.set(partition, req);
    consumer.seek({ topic, partition, offset: low.toString() });
    consumer.resume([{ topic, partitions: [partition] }]);
    const stallMs = ro.stallMs ?? 30_000;
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    while (!finished) {
      await Promise.race([done, sleep(500)]);
      if (finished) break;
      if (ro.heartbeat) await ro.heartbeat();
      if (stopped || Date.now() - req.lastProgress > stallMs) {
        if (active.get(partition) === req) {
          active.delete(partition);
          try {
            consumer.pause([{ topic, partitions: [partition] }]);
          } catch {
            // stopping
          }
        }
        throw new PartitionReadError(
          stopped
            ? 'partition reader stopped'
            : `reading ${topic}[${partition}] stalled: no message for ${stallMs} ms (read ${req.messages} of offsets ${low}..${high - 1n})`,
        );
      }
    }
    if (stopped) throw new PartitionReadError('partition reader stopped');
    log.debug('partition read', { topic, partition, messages: req.messages, low, high });
    return { messages: req.messages };
  };

  return {
    async partitions() {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      return meta.topics[0]?.partitions.length ?? 0;
    },
    read(partition, onMessage, ro = {}) {
      // one read per partition at a time
      const prev = chains.get(partition) ?? Promise.resolve();
      const next = prev.catch(() => undefined).then(() => readOnce(partition, onMessage, ro));
      chains.set(partition, next);
      return next;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const [p, req] of active) {
        active.delete(p);
        req.resolve();
      }
      await consumer.disconnect().catch((e) => log.debug('partition reader disconnect', { error: describeError(e) }));
      await admin.disconnect().catch(() => undefined);
    },
  };
}
