import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createLog } from '../../../src/transport/log.js';
import { createProducer } from '../../../src/transport/producer.js';
import { testBrokers } from '../../helpers/kafka.js';
import { json, readAll, uid } from './helpers.js';

describe('transport on the real broker', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-transport' });

  it('ensureTopics is idempotent and warns about an existing topic with fewer partitions', async () => {
    const a = uid('topic-a');
    const b = uid('topic-b');
    const lines: string[] = [];
    const log = createLog({ level: 'warn', write: (l) => lines.push(l) });
    expect(await ensureTopics(kafka, [{ topic: a, partitions: 2 }], { log })).toEqual({
      created: [a],
      existing: [],
      warnings: [],
    });
    const again = await ensureTopics(
      kafka,
      [
        { topic: a, partitions: 4 },
        { topic: b, partitions: 3, config: { 'retention.ms': '3600000' } },
      ],
      { log },
    );
    expect(again.created).toEqual([b]);
    expect(again.existing).toEqual([a]);
    expect(again.warnings).toHaveLength(1);
    expect(again.warnings[0]).toMatch(new RegExp(`${a} exists with 2 partition\\(s\\), fewer than the 4 configured`));
    expect(lines.join('\n')).toContain('fewer than the 4 configured');
    const admin = kafka.admin();
    await admin.connect();
    const meta = await admin.fetchTopicMetadata({ topics: [a, b] });
    await admin.disconnect();
    expect(meta.topics.find((t) => t.name === a)?.partitions).toHaveLength(2);
    expect(meta.topics.find((t) => t.name === b)?.partitions).toHaveLength(3);
  });

  it('sendPoints keys each point by series id so a series stays on one partition; large sends are split into requests', async () => {
    const topic = uid('points');
    await ensureTopics(kafka, [{ topic, partitions: 4 }]);
    const producer = createProducer(kafka, { maxRequestBytes: 50_000, pointsPerMessage: 1 });
    const points = Array.from({ length: 3_000 }, (_, i) => ({
      ts: 1_700_000_000_000 + i,
      source: `host-${i % 13}`,
      metric: i % 2 === 0 ? 'cpu' : 'mem',
      value: i,
    }));
    // concurrent sends coalesce and still all arrive
    await Promise.all([
      producer.sendPoints(topic, points.slice(0, 1500)),
      producer.sendPoints(topic, points.slice(1500)),
    ]);
    expect(producer.stats().requests).toBeGreaterThan(1);
    expect(producer.stats().messages).toBe(3_000);
    await producer.disconnect();
    await expect(producer.sendPoints(topic, points.slice(0, 1))).rejects.toThrow(/stopping/);

    const got = await readAll(kafka, topic);
    expect(got).toHaveLength(3_000);
    const partitionOf = new Map<string, number>();
    for (const m of got) {
      const p = json<{ source: string; metric: string }>(m);
      const key = m.key?.toString() ?? '';
      expect(key).toBe(`${p.source}|${p.metric}`);
      if (partitionOf.has(key)) expect(partitionOf.get(key)).toBe(m.partition);
      partitionOf.set(key, m.partition);
    }
    // per series, order is kept
    for (const key of partitionOf.keys()) {
      const ts = got.filter((m) => m.key?.toString() === key).map((m) => json<{ ts: number }>(m).ts);
      expect(ts).toEqual([...ts].sort((x, y) => x - y));
    }
  });
});
