import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  cachedDefaultPartitioner,
  chunkTopicMessages,
  messageBytes,
  type TopicMessages,
} from '../../../src/transport/producer.js';

describe('chunkTopicMessages', () => {
  it('keeps every message, in order per topic, each chunk within the limit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ topic: fc.constantFrom('a', 'b', 'c'), sizes: fc.array(fc.nat(300), { maxLength: 40 }) }),
          {
            maxLength: 5,
          },
        ),
        fc.integer({ min: 100, max: 2000 }),
        (groups, max) => {
          let seq = 0;
          const input: TopicMessages[] = groups.map((g) => ({
            topic: g.topic,
            messages: g.sizes.map((n) => ({ key: null, value: `${seq++}:${'x'.repeat(n)}` })),
          }));
          const chunks = chunkTopicMessages(input, max);
          for (const c of chunks) {
            const sum = c.topicMessages.flatMap((t) => t.messages).reduce((s, m) => s + messageBytes(m), 0);
            expect(sum).toBe(c.bytes);
            if (c.count > 1) expect(c.bytes).toBeLessThanOrEqual(max);
          }
          const flat = (tms: TopicMessages[]) => tms.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.value}`));
          expect(chunks.flatMap((c) => flat(c.topicMessages))).toEqual(flat(input));
        },
      ),
    );
  });

  it('gives an oversized message a chunk of its own', () => {
    const big = { value: 'x'.repeat(5000) };
    const chunks = chunkTopicMessages([{ topic: 't', messages: [{ value: 'a' }, big, { value: 'b' }] }], 1000);
    expect(chunks.map((c) => c.count)).toEqual([1, 1, 1]);
  });

  it('returns nothing for no messages', () => {
    expect(chunkTopicMessages([{ topic: 't', messages: [] }], 1000)).toEqual([]);
  });

  it('counts UTF-8 bytes, key and headers', () => {
    expect(messageBytes({ key: 'k', value: 'é' })).toBeGreaterThan(messageBytes({ key: 'k', value: 'e' }));
    expect(messageBytes({ value: 'v', headers: { h: 'abc' } })).toBeGreaterThan(messageBytes({ value: 'v' }));
  });
});

describe('cachedDefaultPartitioner', () => {
  it('puts every key where kafkajs DefaultPartitioner (Java-compatible murmur2) puts it', () => {
    const meta = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        partitionErrorCode: 0,
        partitionId: i,
        leader: 1,
        replicas: [1],
        isr: [1],
      }));
    const cached = cachedDefaultPartitioner();
    const plain = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 1, max: 12 }), (key, n) => {
        const args = { topic: 't', partitionMetadata: meta(n), message: { key, value: 'v' } };
        expect(cached(args)).toBe(plain(args));
        expect(cached(args)).toBe(plain(args)); // from the cache
      }),
    );
    const explicit = { topic: 't', partitionMetadata: meta(6), message: { key: 'k', value: 'v', partition: 4 } };
    expect(cached(explicit)).toBe(4);
  });
});
