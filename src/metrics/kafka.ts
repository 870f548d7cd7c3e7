import type { Admin, Kafka } from 'kafkajs';
import type { Metrics, Sample } from './registry.js';

/** A consumer group whose lag is reported, and the topics it reads. */
export interface WatchedGroup {
  groupId: string;
  topics: string[];
}

export interface KafkaMetricsOptions {
  kafka: Kafka;
  /** called at every scrape: groups come and go (the API's view feed has a random group id) */
  groups: () => WatchedGroup[];
  /** the dead-letter topic, whose retained messages are counted */
  dlqTopic: string;
  /** one broker round is shared by the metrics of a scrape and reused this long (default 2000 ms) */
  cacheMs?: number;
}

interface Snapshot {
  lag: Sample[];
  dlq: number;
}

/**
 * Broker-side figures, fetched through one admin client at scrape time: the lag of each watched
 * group per partition (high watermark − committed offset; a partition without a commit counts from
 * the low watermark), and the number of messages retained in the dead-letter topic. These hold
 * whether the workers run in this process or elsewhere.
 */
export function instrumentKafka(metrics: Metrics, opts: KafkaMetricsOptions): { close(): Promise<void> } {
  const cacheMs = opts.cacheMs ?? 2000;
  let admin: Admin | null = null;
  let cached: { at: number; value: Promise<Snapshot> } | null = null;

  async function connected(): Promise<Admin> {
    if (admin) return admin;
    const a = opts.kafka.admin();
    await a.connect();
    admin = a;
    return a;
  }

  async function fetchSnapshot(): Promise<Snapshot> {
    try {
      const a = await connected();
      const ends = new Map<string, Array<{ partition: number; high: string; low: string }>>();
      const endsOf = async (topic: string) => {
        let e = ends.get(topic);
        if (!e) {
          e = await a.fetchTopicOffsets(topic);
          ends.set(topic, e);
        }
        return e;
      };
      const lag: Sample[] = [];
      for (const g of opts.groups()) {
        if (g.topics.length === 0) continue;
        const committed = await a.fetchOffsets({ groupId: g.groupId, topics: g.topics });
        for (const t of committed) {
          const byPartition = new Map((await endsOf(t.topic)).map((p) => [p.partition, p]));
          for (const p of t.partitions) {
            const end = byPartition.get(p.partition);
            if (!end) continue;
            const high = Number(end.high);
            const from = Number(p.offset) >= 0 ? Number(p.offset) : Number(end.low);
            lag.push({
              labels: { group: g.groupId, topic: t.topic, partition: p.partition },
              value: Math.max(0, high - from),
            });
          }
        }
      }
      let dlq = 0;
      for (const p of await endsOf(opts.dlqTopic)) dlq += Math.max(0, Number(p.high) - Number(p.low));
      return { lag, dlq };
    } catch (err) {
      const a = admin;
      admin = null;
      await a?.disconnect().catch(() => {});
      throw err;
    }
  }

  function snapshot(): Promise<Snapshot> {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) {
      const value = fetchSnapshot();
      cached = { at: now, value };
      value.catch(() => {
        if (cached?.value === value) cached = null;
      });
    }
    return cached.value;
  }

  metrics.gauge({
    name: 'faultline_consumer_lag_messages',
    help: 'Messages behind the high watermark per consumer group and partition (from committed offsets)',
    labelNames: ['group', 'topic', 'partition'],
    collect: async () => (await snapshot()).lag,
  });
  metrics.gauge({
    name: 'faultline_dlq_messages',
    help: 'Messages retained in the dead-letter topic',
    labelNames: [],
    collect: async () => (await snapshot()).dlq,
  });

  return {
    async close() {
      const a = admin;
      admin = null;
      await a?.disconnect().catch(() => {});
    },
  };
}
