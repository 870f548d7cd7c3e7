import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { seriesId } from '../contracts/series.js';
import type { ConsumedBatch } from './consumer.js';
import type { BatchedProducer, ProducerStats, TopicMessages } from './producer.js';

/**
 * An in-memory stand-in for Kafka topics, for unit tests of pure logic only (batch processing,
 * dead-lettering, output shapes). It has partitions and offsets but no groups, no network and no
 * failure modes beyond `failNextSends`; anything that crosses Kafka is tested against the real broker.
 */
export class MemoryBus {
  private readonly topics = new Map<string, KafkaMessage[][]>();
  private failures: unknown[] = [];

  constructor(private readonly defaultPartitions = 3) {}

  createTopic(topic: string, partitions = this.defaultPartitions): void {
    if (!this.topics.has(topic))
      this.topics.set(
        topic,
        Array.from({ length: partitions }, () => []),
      );
  }

  partitionsOf(topic: string): number {
    return this.log(topic).length;
  }

  private log(topic: string): KafkaMessage[][] {
    this.createTopic(topic);
    return this.topics.get(topic) as KafkaMessage[][];
  }

  /** deterministic partition of a key (a simple string hash, not Kafka's murmur2) */
  partitionFor(topic: string, key: Message['key']): number {
    const n = this.partitionsOf(topic);
    if (key === null || key === undefined) return 0;
    const s = key.toString();
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    return Math.abs(h) % n;
  }

  /** append messages; returns their [partition, offset] */
  append(topic: string, messages: Message[]): Array<[number, string]> {
    const log = this.log(topic);
    return messages.map((m) => {
      const p = m.partition ?? this.partitionFor(topic, m.key);
      const part = log[p];
      if (!part) throw new Error(`MemoryBus: ${topic} has no partition ${p}`);
      const toBuf = (v: Message['value'] | undefined) => (v === null || v === undefined ? null : Buffer.from(v));
      const headers: IHeaders = {};
      for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = v;
      part.push({
        key: toBuf(m.key),
        value: toBuf(m.value),
        headers,
        offset: String(part.length),
        timestamp: String(m.timestamp ?? Date.now()),
        attributes: 0,
      });
      return [p, String(part.length - 1)];
    });
  }

  /** every message of a topic (all partitions, partition order then offset order), or of one partition */
  read(topic: string, partition?: number): KafkaMessage[] {
    const log = this.log(topic);
    if (partition !== undefined) return [...(log[partition] ?? [])];
    return log.flat();
  }

  /** message values of a topic decoded as JSON */
  readJson<T = unknown>(topic: string): T[] {
    return this.read(topic).map((m) => JSON.parse(m.value?.toString('utf8') ?? 'null') as T);
  }

  /** batches of up to `maxMessages` per partition, from `from` (default 0) */
  batches(
    topic: string,
    opts: { maxMessages?: number; from?: Record<number, number>; replay?: boolean } = {},
  ): ConsumedBatch[] {
    const max = opts.maxMessages ?? 500;
    const out: ConsumedBatch[] = [];
    this.log(topic).forEach((part, partition) => {
      for (let i = opts.from?.[partition] ?? 0; i < part.length; i += max) {
        out.push({ topic, partition, messages: part.slice(i, i + max), replay: opts.replay ?? false });
      }
    });
    return out;
  }

  /** make the next `n` producer sends reject with `error` (to test retries) */
  failNextSends(n: number, error: unknown): void {
    for (let i = 0; i < n; i++) this.failures.push(error);
  }

  /** a BatchedProducer writing to this bus */
  producer(): BatchedProducer {
    const stats: ProducerStats = { messages: 0, requests: 0, bytes: 0, failedRequests: 0 };
    let closed = false;
    const sendBatch = async (tms: TopicMessages[]) => {
      if (closed) throw new Error('MemoryBus producer: disconnected');
      const failure = this.failures.shift();
      if (failure !== undefined) {
        stats.failedRequests++;
        throw failure;
      }
      for (const { topic, messages } of tms) {
        this.append(topic, messages);
        stats.messages += messages.length;
      }
      stats.requests++;
    };
    return {
      connect: async () => undefined,
      send: (topic, messages) => sendBatch([{ topic, messages }]),
      sendBatch,
      sendPoints: (topic, points) =>
        sendBatch([
          { topic, messages: points.map((p) => ({ key: seriesId(p.source, p.metric), value: JSON.stringify(p) })) },
        ]),
      flush: async () => undefined,
      disconnect: async () => {
        closed = true;
      },
      stats: () => ({ ...stats }),
    };
  }
}
