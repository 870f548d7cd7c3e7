import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { loadPipeline } from '../../../src/config/load.js';
import type { PipelineConfig } from '../../../src/config/pipeline.js';
import type { MetricPointInput } from '../../../src/contracts/metric.js';

export const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** The default pipeline with topics and group unique to one test (no cross-talk between tests). */
export function testPipeline(prefix: string, partitions = 3): PipelineConfig {
  const p = loadPipeline('pipelines/default.yaml', { env: {} });
  const base = uid(prefix);
  return {
    ...p,
    topics: {
      partitions,
      metrics: `${base}.metrics`,
      scores: `${base}.scores`,
      anomalies: `${base}.anomalies`,
      dlq: `${base}.dlq`,
    },
    worker: { ...p.worker, groupId: `${base}.detect` },
  };
}

export const T0 = 1_700_000_000_000;
export const STEP = 60_000;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface Dataset {
  points: MetricPointInput[];
  /** spiky series → timestamps of their injected spikes */
  spikes: Map<string, number[]>;
  clean: string[];
}

/**
 * `series` series × `n` points, one a minute, bounded noise (sd ≈ 0.58) around a level. The first
 * `spiky` series get one +12 (≈ 20σ) spike each, at index 150 + 50·k — one per series because the
 * detectors' heavy-tail guard rightly scores a series' *repeated* 20σ excursions as less surprising.
 * Points are interleaved across series in time order.
 */
export function dataset(series = 10, n = 1000, spiky = 7): Dataset {
  const points: MetricPointInput[] = [];
  const spikes = new Map<string, number[]>();
  const clean: string[] = [];
  const rngs = Array.from({ length: series }, (_, k) => rng(k + 1));
  const spikeAt = (k: number) => (k < spiky ? (150 + 50 * k) % n : -1);
  for (let k = 0; k < series; k++) {
    if (k < spiky) spikes.set(`host-${k}|cpu`, [T0 + spikeAt(k) * STEP]);
    else clean.push(`host-${k}|cpu`);
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < series; k++) {
      const r = rngs[k] as () => number;
      let value = 50 + k + (r() + r() + r() + r() - 2);
      if (i === spikeAt(k)) value += 12;
      points.push({ ts: T0 + i * STEP, source: `host-${k}`, metric: 'cpu', value });
    }
  }
  return { points, spikes, clean };
}

export type ReadMessage = KafkaMessage & { partition: number };

/** Every message currently in `topic` (up to the high watermarks taken at call time). */
export async function readAll(kafka: Kafka, topic: string): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const want = new Map(offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]));
  const out: ReadMessage[] = [];
  if (want.size === 0) return out;
  const consumer = kafka.consumer({ groupId: uid('reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`readAll(${topic}): timed out`)), 60_000);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const high = want.get(batch.partition);
            if (high !== undefined && BigInt(m.offset) < high) out.push({ ...m, partition: batch.partition });
          }
          const high = want.get(batch.partition);
          if (high !== undefined && BigInt(batch.lastOffset()) + 1n >= high) want.delete(batch.partition);
          if (want.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return out;
}

export const json = <T>(m: KafkaMessage): T => JSON.parse(m.value?.toString('utf8') ?? 'null') as T;

/** Poll `cond` until true (an exception counts as not yet); `what` is evaluated for the timeout message. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await cond()) return;
    } catch (e) {
      lastError = ` (last error: ${e instanceof Error ? e.message : String(e)})`;
    }
    if (Date.now() > until) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${lastError}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sum of the group's committed offsets on a topic, and of its high watermarks. */
export async function groupProgress(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<{ committed: bigint; high: bigint }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed, offsets] = await Promise.all([
      admin.fetchOffsets({ groupId, topics: [topic] }),
      admin.fetchTopicOffsets(topic),
    ]);
    let c = 0n;
    for (const t of committed) for (const p of t.partitions) if (BigInt(p.offset) > 0n) c += BigInt(p.offset);
    let h = 0n;
    for (const o of offsets) h += BigInt(o.high);
    return { committed: c, high: h };
  } finally {
    await admin.disconnect();
  }
}
