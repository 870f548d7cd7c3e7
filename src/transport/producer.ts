import {
  CompressionTypes,
  type ICustomPartitioner,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { MAX_POINTS_PER_MESSAGE, type MetricPointInput } from '../contracts/metric.js';
import { seriesId } from '../contracts/series.js';
import { describeError, isRetriable, ProduceError, StoppedError } from './errors.js';
import { type Log, silentLog } from './log.js';

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerOptions {
  /**
   * `sendPoints` packs up to this many consecutive points of one series into one message (a JSON
   * array, see contracts `MetricMessage`); 1 sends one point per message. Default 100: Kafka's
   * per-message cost (kafkajs encode, CRC, broker bookkeeping) is then paid once per 100 points.
   */
  pointsPerMessage?: number;
  /**
   * kafkajs idempotent producer (default true): the broker de-duplicates the client's internal
   * retries by producer id + sequence, so a retried request never writes a message twice.
   * Requires acks = all (always used here).
   */
  idempotent?: boolean;
  /**
   * Upper bound of one produce request (default 256 kB). A partition's share of a request becomes
   * one record batch, and the broker rejects record batches above `message.max.bytes` (1 MB by
   * default); and kafkajs groups a request's messages per partition in time quadratic in their
   * number, so mid-sized requests cost the least CPU per message (measured: 256 kB beat 900 kB).
   */
  maxRequestBytes?: number;
  /** requests in flight at once (default 1: keeps order and lets concurrent sends coalesce) */
  maxInFlight?: number;
  /** default none: on one machine CPU is the bottleneck, not bytes */
  compression?: CompressionTypes;
  log?: Log;
}

export interface SendOptions {
  /** jump ahead of queued (not yet in-flight) non-urgent sends, e.g. anomaly events before score batches */
  urgent?: boolean;
}

export interface ProducerStats {
  messages: number;
  requests: number;
  bytes: number;
  failedRequests: number;
}

/**
 * A batched producer. Every `send*` resolves only once the broker acknowledged all its messages
 * (acks = all); calls made while a request is in flight are coalesced into the next request, so
 * many small sends become few large requests without any linger timer.
 */
export interface BatchedProducer {
  connect(): Promise<void>;
  send(topic: string, messages: Message[], opts?: SendOptions): Promise<void>;
  /** several topics in as few requests as possible (e.g. a worker's scores, anomalies and dead letters) */
  sendBatch(topicMessages: TopicMessages[], opts?: SendOptions): Promise<void>;
  /** metric points as JSON, keyed by seriesId(source, metric) so a series stays on one partition */
  sendPoints(topic: string, points: MetricPointInput[]): Promise<void>;
  /** wait until everything sent so far is acknowledged (or failed) */
  flush(): Promise<void>;
  /** flush (waiting at most timeoutMs, default 10 s), then disconnect; later sends throw StoppedError */
  disconnect(opts?: { timeoutMs?: number }): Promise<void>;
  stats(): ProducerStats;
}

interface Part {
  topicMessages: TopicMessages[];
  bytes: number;
  count: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const RECORD_OVERHEAD = 70;

function valueBytes(v: Message['value'] | Message['key']): number {
  if (v === null || v === undefined) return 0;
  return typeof v === 'string' ? Buffer.byteLength(v) : v.length;
}

/** Approximate size of a message on the wire (key + value + headers + record overhead). */
export function messageBytes(m: Message): number {
  let n = RECORD_OVERHEAD + valueBytes(m.value) + valueBytes(m.key);
  if (m.headers) {
    for (const [k, v] of Object.entries(m.headers)) {
      n += k.length + 8;
      if (Array.isArray(v)) for (const x of v) n += valueBytes(x);
      else n += valueBytes(v as string | Buffer | undefined);
    }
  }
  return n;
}

/**
 * Split topic messages into chunks of at most `maxBytes` (a single larger message gets a chunk of
 * its own). Order within each topic is kept. Pure; exported for tests.
 */
export function chunkTopicMessages(
  topicMessages: TopicMessages[],
  maxBytes: number,
): Array<{ topicMessages: TopicMessages[]; bytes: number; count: number }> {
  const chunks: Array<{ topicMessages: TopicMessages[]; bytes: number; count: number }> = [];
  let cur: { topicMessages: TopicMessages[]; bytes: number; count: number } = { topicMessages: [], bytes: 0, count: 0 };
  for (const { topic, messages } of topicMessages) {
    let tm: TopicMessages | undefined;
    for (const m of messages) {
      const b = messageBytes(m);
      if (cur.count > 0 && cur.bytes + b > maxBytes) {
        chunks.push(cur);
        cur = { topicMessages: [], bytes: 0, count: 0 };
        tm = undefined;
      }
      if (!tm) {
        tm = { topic, messages: [] };
        cur.topicMessages.push(tm);
      }
      tm.messages.push(m);
      cur.bytes += b;
      cur.count++;
    }
  }
  if (cur.count > 0) chunks.push(cur);
  return chunks;
}

function mergeTopics(parts: Part[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const p of parts) {
    for (const { topic, messages } of p.topicMessages) {
      const list = byTopic.get(topic);
      if (list) for (const m of messages) list.push(m);
      else byTopic.set(topic, messages.slice());
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

const PARTITION_CACHE_MAX = 200_000;

/**
 * kafkajs' DefaultPartitioner (murmur2, Java-compatible: a key lands where the Java client puts it)
 * with a cache per partition count for string keys. Series keys repeat, and the default
 * partitioner hashes every message afresh and filters the partition list per message.
 */
export const cachedDefaultPartitioner: ICustomPartitioner = () => {
  const inner = Partitioners.DefaultPartitioner();
  const caches = new Map<number, Map<string, number>>();
  return (args) => {
    const { message } = args;
    const key = message.key;
    if (typeof key !== 'string' || (message.partition !== null && message.partition !== undefined)) return inner(args);
    const n = args.partitionMetadata.length;
    let cache = caches.get(n);
    if (!cache) {
      cache = new Map();
      caches.set(n, cache);
    }
    let p = cache.get(key);
    if (p === undefined) {
      p = inner(args);
      if (cache.size >= PARTITION_CACHE_MAX) cache.clear();
      cache.set(key, p);
    }
    return p;
  };
};

export function createProducer(kafka: Kafka, opts: ProducerOptions = {}): BatchedProducer {
  const idempotent = opts.idempotent ?? true;
  const maxRequestBytes = opts.maxRequestBytes ?? 256_000;
  const maxInFlight = Math.max(1, opts.maxInFlight ?? 1);
  const compression = opts.compression ?? CompressionTypes.None;
  const log = opts.log ?? silentLog;
  const perMessage = Math.min(MAX_POINTS_PER_MESSAGE, Math.max(1, Math.floor(opts.pointsPerMessage ?? 100)));
  const producer: Producer = kafka.producer({
    idempotent,
    createPartitioner: cachedDefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  const stats: ProducerStats = { messages: 0, requests: 0, bytes: 0, failedRequests: 0 };
  const queue: Part[] = [];
  /** urgent parts are queue[0 .. urgentCount) */
  let urgentCount = 0;
  let inFlight = 0;
  let connecting: Promise<void> | null = null;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const connect = () => {
    connecting ??= producer.connect().catch((e) => {
      connecting = null;
      throw new ProduceError(`producer could not connect: ${describeError(e)}`, { retriable: true, cause: e });
    });
    return connecting;
  };

  const notifyIdle = () => {
    if (inFlight === 0 && queue.length === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  };

  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const parts: Part[] = [];
      let bytes = 0;
      let count = 0;
      while (queue.length > 0) {
        const next = queue[0] as Part;
        if (parts.length > 0 && bytes + next.bytes > maxRequestBytes) break;
        queue.shift();
        if (urgentCount > 0) urgentCount--;
        parts.push(next);
        bytes += next.bytes;
        count += next.count;
      }
      inFlight++;
      const topicMessages = parts.length === 1 ? (parts[0] as Part).topicMessages : mergeTopics(parts);
      connect()
        .then(() => producer.sendBatch({ topicMessages, acks: -1, compression }))
        .then(
          () => {
            stats.requests++;
            stats.messages += count;
            stats.bytes += bytes;
            for (const p of parts) p.resolve();
          },
          (e: unknown) => {
            stats.failedRequests++;
            const err =
              e instanceof ProduceError
                ? e
                : new ProduceError(`produce failed: ${describeError(e)}`, { retriable: isRetriable(e), cause: e });
            log.warn('produce request failed', { error: err.message, retriable: err.retriable, messages: count });
            for (const p of parts) p.reject(err);
          },
        )
        .finally(() => {
          inFlight--;
          pump();
          notifyIdle();
        });
    }
  };

  const sendBatch = (topicMessages: TopicMessages[], sendOpts: SendOptions = {}): Promise<void> => {
    if (closed) return Promise.reject(new StoppedError('send'));
    const chunks = chunkTopicMessages(topicMessages, maxRequestBytes);
    if (chunks.length === 0) return Promise.resolve();
    const promises = chunks.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          if (sendOpts.urgent) queue.splice(urgentCount++, 0, { ...c, resolve, reject });
          else queue.push({ ...c, resolve, reject });
        }),
    );
    pump();
    return promises.length === 1 ? (promises[0] as Promise<void>) : Promise.all(promises).then(() => undefined);
  };

  const flush = () =>
    new Promise<void>((resolve) => {
      idleWaiters.push(resolve);
      notifyIdle();
    });

  return {
    connect,
    send: (topic, messages, sendOpts) => sendBatch([{ topic, messages }], sendOpts),
    sendBatch,
    sendPoints: (topic, points) => sendBatch([{ topic, messages: pointMessages(points, perMessage) }]),
    flush,
    async disconnect(opts: { timeoutMs?: number } = {}) {
      closed = true;
      // wait for what is in flight, but not forever (an idempotent kafkajs producer retries a
      // down broker indefinitely)
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        flush().then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), opts.timeoutMs ?? 10_000);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut)
        log.warn('producer disconnect: gave up waiting for unacknowledged messages', { queued: queue.length });
      if (connecting) await connecting.catch(() => undefined);
      await producer.disconnect();
    },
    stats: () => ({ ...stats }),
  };
}

/**
 * Messages for `points`, keyed by series id: one point per message when `perMessage` is 1, else
 * each series' points (in their given order) packed into arrays of at most `perMessage`.
 */
export function pointMessages(points: readonly MetricPointInput[], perMessage: number): Message[] {
  if (perMessage <= 1 || points.length === 1) {
    return points.map((p) => ({ key: seriesId(p.source, p.metric), value: JSON.stringify(p) }));
  }
  const bySeries = new Map<string, MetricPointInput[]>();
  for (const p of points) {
    const id = seriesId(p.source, p.metric);
    const list = bySeries.get(id);
    if (list) list.push(p);
    else bySeries.set(id, [p]);
  }
  const out: Message[] = [];
  for (const [key, list] of bySeries) {
    for (let i = 0; i < list.length; i += perMessage) {
      const chunk = list.length <= perMessage ? list : list.slice(i, i + perMessage);
      out.push({ key, value: JSON.stringify(chunk.length === 1 ? chunk[0] : chunk) });
    }
  }
  return out;
}
