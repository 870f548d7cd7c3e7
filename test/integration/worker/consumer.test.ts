import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../src/transport/admin.js';
import { type ConsumedBatch, runConsumer } from '../../../src/transport/consumer.js';
import { ProduceError } from '../../../src/transport/errors.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { testBrokers } from '../../helpers/kafka.js';
import { groupProgress, uid, waitFor } from './helpers.js';

describe('consumer runner on the real broker', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-consumer' });

  async function topicWith(n: number): Promise<string> {
    const topic = uid('runner');
    await ensureTopics(kafka, [{ topic, partitions: 2 }]);
    const producer = createProducer(kafka);
    await producer.send(
      topic,
      Array.from({ length: n }, (_, i) => ({ key: `k${i % 7}`, value: String(i) })),
    );
    await producer.disconnect();
    return topic;
  }

  it('retries a failing handler with back-off, then commits; nothing is lost and the process lives', async () => {
    const topic = await topicWith(200);
    const groupId = uid('g');
    const seen = new Set<string>();
    let failures = 0;
    const runner = await runConsumer({
      kafka,
      groupId,
      topics: [topic],
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
      handle: async (b: ConsumedBatch) => {
        if (failures < 3) {
          failures++;
          throw new ProduceError('broker unavailable (simulated)', { retriable: true });
        }
        for (const m of b.messages) seen.add(m.value?.toString() ?? '');
      },
    });
    try {
      await waitFor(() => seen.size === 200, 60_000, 'every message handled');
      await waitFor(
        async () => (await groupProgress(kafka, groupId, topic)).committed === 200n,
        30_000,
        'offsets committed',
      );
      expect(runner.stats().retries).toBe(3);
      expect(runner.stats().commits).toBeGreaterThan(0);
    } finally {
      await runner.stop();
    }
  });

  it('hands a batch that keeps failing with a non-retriable error to the poison handler and goes on', async () => {
    const topic = await topicWith(100);
    const groupId = uid('g');
    const handled = new Set<string>();
    const poisoned = new Set<string>();
    const runner = await runConsumer({
      kafka,
      groupId,
      topics: [topic],
      retry: { initialDelayMs: 10, maxDelayMs: 50, poisonAfter: 2 },
      handle: async (b) => {
        if (b.messages.some((m) => m.value?.toString() === '42')) throw new TypeError('bug on message 42');
        for (const m of b.messages) handled.add(m.value?.toString() ?? '');
      },
      onPoisonBatch: async (b, error) => {
        expect(String(error)).toContain('bug on message 42');
        for (const m of b.messages) poisoned.add(m.value?.toString() ?? '');
      },
    });
    try {
      await waitFor(() => handled.size + poisoned.size === 100, 60_000, 'every message handled or poisoned');
      expect(poisoned.has('42')).toBe(true);
      expect([...poisoned].some((v) => handled.has(v))).toBe(false);
      await waitFor(
        async () => (await groupProgress(kafka, groupId, topic)).committed === 100n,
        30_000,
        'offsets committed past the poison batch',
      );
      expect(runner.stats().poisonBatches).toBeGreaterThan(0);
    } finally {
      await runner.stop();
    }
  });

  it('a second runner in the group resumes from the committed offsets, replaying earlier messages only as replay', async () => {
    const topic = await topicWith(50);
    const groupId = uid('g');
    const first = new Set<string>();
    const r1 = await runConsumer({
      kafka,
      groupId,
      topics: [topic],
      handle: async (b) => {
        for (const m of b.messages) first.add(m.value?.toString() ?? '');
      },
    });
    await waitFor(() => first.size === 50, 60_000, 'first runner');
    await r1.stop();

    const producer = createProducer(kafka);
    await producer.send(
      topic,
      Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 7}`, value: String(50 + i) })),
    );
    await producer.disconnect();

    const replayed: string[] = [];
    const live: string[] = [];
    const resets: number[] = [];
    const r2 = await runConsumer({
      kafka,
      groupId,
      topics: [topic],
      replayOnResume: true,
      onPartitionReset: (_t, p) => resets.push(p),
      handle: async (b) => {
        for (const m of b.messages) (b.replay ? replayed : live).push(m.value?.toString() ?? '');
      },
    });
    try {
      await waitFor(() => live.length >= 30 && replayed.length >= 50, 60_000, 'second runner');
      expect(live.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => 50 + i));
      expect(replayed.map(Number).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(resets.sort()).toEqual([0, 1]);
      expect(r2.stats().rebuilds).toBe(2);
    } finally {
      await r2.stop();
    }
  });
});
