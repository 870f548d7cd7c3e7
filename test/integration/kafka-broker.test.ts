import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { type Admin, Kafka, logLevel, Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../infra/kafka/tools.js';
import { testBrokers } from '../helpers/kafka.js';

const run = promisify(execFile);
const kcat = findExecutable('kcat', process.env['PATH']);

function client(id: string): Kafka {
  return new Kafka({ clientId: `it-broker-${id}`, brokers: testBrokers(), logLevel: logLevel.ERROR });
}

describe('real Kafka broker', () => {
  const kafka = client('admin');
  let admin: Admin;
  const created: string[] = [];

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    if (created.length > 0) await admin.deleteTopics({ topics: created }).catch(() => {});
    await admin.disconnect();
  });

  it('creates a topic with N partitions through the admin API', async () => {
    const topic = `it-partitions-${randomUUID()}`;
    created.push(topic);
    const ok = await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
    expect(ok).toBe(true);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = meta.topics[0]?.partitions ?? [];
    expect(partitions.map((p) => p.partitionId).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const p of partitions) expect(p.leader).toBeGreaterThanOrEqual(0);
  });

  it('round-trips keyed messages produce -> consume, one partition per key', async () => {
    const topic = `it-roundtrip-${randomUUID()}`;
    created.push(topic);
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

    const sent = Array.from({ length: 300 }, (_, i) => ({ key: `series-${i % 17}`, value: JSON.stringify({ i }) }));
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: sent });
    await producer.disconnect();

    const consumer = client('consumer').consumer({ groupId: `it-group-${randomUUID()}` });
    const got: { key: string; value: string; partition: number }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          got.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', partition });
          if (got.length >= sent.length) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();

    expect(got).toHaveLength(sent.length);
    expect(got.map((m) => JSON.parse(m.value).i).sort((a, b) => a - b)).toEqual(sent.map((_, i) => i));
    const partitionOfKey = new Map<string, Set<number>>();
    for (const m of got) partitionOfKey.set(m.key, (partitionOfKey.get(m.key) ?? new Set()).add(m.partition));
    expect(partitionOfKey.size).toBe(17);
    for (const parts of partitionOfKey.values()) expect(parts.size).toBe(1);
  });

  it.skipIf(!kcat)('is visible to an independent client (kcat -L)', async () => {
    const broker = testBrokers()[0]!;
    const { stdout } = await run(kcat!, ['-b', broker, '-L', '-m', '10'], { timeout: 30_000 });
    expect(stdout).toMatch(/1 brokers:/);
    expect(stdout).toContain(`at ${broker}`);
  });
});
