import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics, instrumentKafka } from '../../../src/metrics/index.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { type BatchedProducer, createProducer } from '../../../src/transport/producer.js';
import { testBrokers } from '../../helpers/kafka.js';

function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('broker-side metrics on the real broker: lag per partition, DLQ size', () => {
  const tag = randomUUID().slice(0, 8);
  const topic = `it-metrics-${tag}`;
  const dlq = `it-metrics-dlq-${tag}`;
  const group = `it-metrics-group-${tag}`;
  let kafka: Kafka;
  let admin: Admin;
  let producer: BatchedProducer;
  let close: () => Promise<void> = async () => {};

  beforeAll(async () => {
    kafka = createKafka({ brokers: testBrokers(), clientId: `it-metrics-${tag}` });
    await ensureTopics(kafka, [
      { topic, partitions: 2 },
      { topic: dlq, partitions: 1 },
    ]);
    admin = kafka.admin();
    await admin.connect();
    producer = createProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await close();
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it('reports high watermark minus committed offset per partition, and the retained dead letters', async () => {
    const msgs = (p: number, n: number) => Array.from({ length: n }, (_, i) => ({ partition: p, value: `m${i}` }));
    await producer.send(topic, [...msgs(0, 7), ...msgs(1, 4)]);
    await producer.send(dlq, [{ value: 'bad-1' }, { value: 'bad-2' }, { value: 'bad-3' }]);
    // the group committed 5 on partition 0 and nothing on partition 1
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '5' }] });

    const metrics = createMetrics({ processMetrics: false });
    const k = instrumentKafka(metrics, {
      kafka,
      dlqTopic: dlq,
      groups: () => [{ groupId: group, topics: [topic] }],
      cacheMs: 0,
    });
    close = () => k.close();
    let s = samples(await metrics.render());
    expect(s.get(`faultline_consumer_lag_messages{group="${group}",topic="${topic}",partition="0"}`)).toBe(2);
    expect(s.get(`faultline_consumer_lag_messages{group="${group}",topic="${topic}",partition="1"}`)).toBe(4);
    expect(s.get('faultline_dlq_messages')).toBe(3);

    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: [
        { partition: 0, offset: '7' },
        { partition: 1, offset: '4' },
      ],
    });
    s = samples(await metrics.render());
    expect(s.get(`faultline_consumer_lag_messages{group="${group}",topic="${topic}",partition="0"}`)).toBe(0);
    expect(s.get(`faultline_consumer_lag_messages{group="${group}",topic="${topic}",partition="1"}`)).toBe(0);
  });
});
