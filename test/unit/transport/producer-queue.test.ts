import type { Kafka, ProducerBatch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { StoppedError } from '../../../src/transport/errors.js';
import { createProducer } from '../../../src/transport/producer.js';

/** a stand-in kafkajs client whose producer records each request and acks when told to */
function fakeKafka() {
  const requests: Array<{ batch: ProducerBatch; ack: () => void; fail: (e: unknown) => void }> = [];
  const kafka = {
    producer: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: (batch: ProducerBatch) =>
        new Promise((resolve, reject) => requests.push({ batch, ack: () => resolve([]), fail: reject })),
    }),
  } as unknown as Kafka;
  const values = (i: number) =>
    (requests[i]?.batch.topicMessages ?? []).flatMap((t) => t.messages.map((m) => `${t.topic}:${String(m.value)}`));
  return { kafka, requests, values };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('BatchedProducer queue', () => {
  it('coalesces sends made while a request is in flight into the next request, acks=all', async () => {
    const { kafka, requests, values } = fakeKafka();
    const p = createProducer(kafka);
    const a = p.send('t', [{ value: 'a' }]);
    await tick();
    const b = p.send('t', [{ value: 'b' }]);
    const c = p.send('u', [{ value: 'c' }]);
    await tick();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.batch.acks).toBe(-1);
    requests[0]?.ack();
    await a;
    await tick();
    expect(requests).toHaveLength(2);
    expect(values(1)).toEqual(['t:b', 'u:c']);
    requests[1]?.ack();
    await Promise.all([b, c]);
    expect(p.stats()).toMatchObject({ requests: 2, messages: 3 });
  });

  it('puts urgent sends ahead of queued ones (but behind earlier urgent ones)', async () => {
    const { kafka, requests, values } = fakeKafka();
    const p = createProducer(kafka, { maxRequestBytes: 100 });
    const sends = [p.send('t', [{ value: 'first' }])];
    await tick();
    sends.push(p.send('scores', [{ value: 'bulk1' }]), p.send('scores', [{ value: 'bulk2' }]));
    sends.push(
      p.send('events', [{ value: 'e1' }], { urgent: true }),
      p.send('events', [{ value: 'e2' }], { urgent: true }),
    );
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await tick();
      order.push(...values(i));
      requests[i]?.ack();
    }
    await Promise.all(sends);
    expect(order).toEqual(['t:first', 'events:e1', 'events:e2', 'scores:bulk1', 'scores:bulk2']);
  });

  it('rejects every send of a failed request with a typed ProduceError saying whether to retry', async () => {
    const { kafka, requests } = fakeKafka();
    const p = createProducer(kafka);
    const s = p.send('t', [{ value: 'x' }]);
    await tick();
    requests[0]?.fail(Object.assign(new Error('boom'), { name: 'KafkaJSConnectionError' }));
    await expect(s).rejects.toMatchObject({ name: 'ProduceError', retriable: true });
  });

  it('disconnect waits for in-flight requests, but not forever; later sends throw StoppedError', async () => {
    const { kafka } = fakeKafka();
    const p = createProducer(kafka);
    void p.send('t', [{ value: 'never acked' }]).catch(() => undefined);
    await tick();
    await p.disconnect({ timeoutMs: 50 }); // resolves although the request is never acknowledged
    await expect(p.send('t', [{ value: 'late' }])).rejects.toBeInstanceOf(StoppedError);
  });
});
