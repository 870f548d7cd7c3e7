import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { SeriesScores } from '../../../src/contracts/score.js';
import { seriesId } from '../../../src/contracts/series.js';
import { readDeadLetter } from '../../../src/transport/dlq.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { startDetectWorker } from '../../../src/worker/detect-worker.js';
import { testBrokers } from '../../helpers/kafka.js';
import { dataset, json, readAll, STEP, T0, testPipeline, waitFor } from './helpers.js';

/** kinds of malformed messages, each with what its dead-letter reason must mention */
const BAD: Array<{ kind: string; value: (i: number) => string | Buffer | null; reason: RegExp }> = [
  { kind: 'bad-json', value: (i) => `{"ts":${i},"source":"x"`, reason: /^\(root\): invalid JSON/ },
  { kind: 'not-utf8', value: () => Buffer.from([0xff, 0xfe, 0x7b, 0x00]), reason: /invalid JSON/ },
  { kind: 'empty', value: () => '', reason: /empty message/ },
  { kind: 'tombstone', value: () => null, reason: /empty message/ },
  { kind: 'array', value: (i) => `[${i}]`, reason: /^0: / },
  {
    kind: 'batch-mixing-series',
    value: (i) =>
      JSON.stringify([
        { ts: i, source: 'a', metric: 'm', value: 1 },
        { ts: i + 1, source: 'b', metric: 'm', value: 2 },
      ]),
    reason: /^1: a batch must hold one series/,
  },
  {
    kind: 'value-as-string',
    value: (i) => JSON.stringify({ ts: i, source: 'h', metric: 'm', value: '12.5' }),
    reason: /^value: /,
  },
  {
    kind: 'huge-number-string',
    value: (i) => JSON.stringify({ ts: i, source: 'h', metric: 'm', value: '1e400' }),
    reason: /^value: /,
  },
  { kind: 'missing-metric', value: (i) => JSON.stringify({ ts: i, source: 'h', value: 1 }), reason: /metric: / },
  {
    kind: 'missing-ts-and-value',
    value: () => JSON.stringify({ source: 'h', metric: 'm' }),
    reason: /ts: .*value: |value: .*ts: /,
  },
  {
    kind: 'bad-date',
    value: () => JSON.stringify({ ts: 'last tuesday', source: 'h', metric: 'm', value: 1 }),
    reason: /^ts: /,
  },
  { kind: 'negative-ts', value: () => JSON.stringify({ ts: -5, source: 'h', metric: 'm', value: 1 }), reason: /^ts: / },
  {
    kind: 'extra-field',
    value: (i) => JSON.stringify({ ts: i, source: 'h', metric: 'm', value: 1, cpu: 3 }),
    reason: /"cpu"/,
  },
  {
    kind: 'wrong-version',
    value: (i) => JSON.stringify({ v: 9, ts: i, source: 'h', metric: 'm', value: 1 }),
    reason: /^v: /,
  },
  {
    kind: 'label-not-string',
    value: (i) => JSON.stringify({ ts: i, source: 'h', metric: 'm', value: 1, labels: { a: 1 } }),
    reason: /^labels\.a: /,
  },
];

describe('detect worker: malformed input', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-dlq' });

  it('dead-letters 1,000 malformed messages with reasons, original bytes and source offsets; every good point is scored; the worker keeps going', async () => {
    const pipeline = testPipeline('dlq');
    const good = dataset(5, 400, 0).points; // 2,000 good points
    const messages: Message[] = [];
    let bad = 0;
    for (let i = 0; i < good.length; i++) {
      const p = good[i];
      if (!p) continue;
      messages.push({ key: seriesId(p.source, p.metric), value: JSON.stringify(p) });
      if (i % 2 === 0) {
        const b = BAD[bad % BAD.length] as (typeof BAD)[number];
        messages.push({
          key: i % 4 === 0 ? seriesId(p.source, p.metric) : null,
          value: b.value(bad),
          headers: { 'test.kind': b.kind, 'test.n': String(bad) },
        });
        bad++;
      }
    }
    expect(bad).toBe(1000);

    const worker = await startDetectWorker({ kafka, pipeline });
    const producer = createProducer(kafka);
    try {
      await producer.send(pipeline.topics.metrics, messages);
      await waitFor(
        () => worker.stats().points + worker.stats().dlq >= messages.length,
        90_000,
        'all messages handled',
      );
      expect(worker.stats()).toMatchObject({ points: 2000, dlq: 1000 });

      // the worker is alive: 100 more good points are scored
      const more = Array.from({ length: 100 }, (_, i) => ({
        ts: T0 + (400 + i) * STEP,
        source: 'host-0',
        metric: 'cpu',
        value: 50 + (i % 3),
      }));
      await producer.sendPoints(pipeline.topics.metrics, more);
      await waitFor(() => worker.stats().points >= 2100, 60_000, 'the extra points scored');
    } finally {
      await producer.disconnect();
      await worker.stop();
    }

    const input = await readAll(kafka, pipeline.topics.metrics);
    const byPos = new Map(input.map((m) => [`${m.partition}/${m.offset}`, m]));
    const dlq = await readAll(kafka, pipeline.topics.dlq);
    expect(dlq).toHaveLength(1000);
    const seen = new Set<string>();
    for (const d of dlq) {
      const info = readDeadLetter(d);
      expect(info).not.toBeNull();
      if (!info) continue;
      expect(info.topic).toBe(pipeline.topics.metrics);
      expect(info.stage).toBe('detect');
      expect(Number.isNaN(Date.parse(info.at))).toBe(false);
      const orig = byPos.get(`${info.partition}/${info.offset}`);
      expect(orig, `source message ${info.partition}/${info.offset}`).toBeDefined();
      if (!orig) continue;
      // original bytes, verbatim
      expect(d.value === null ? null : Buffer.from(d.value)).toEqual(
        orig.value === null ? null : Buffer.from(orig.value),
      );
      expect(d.key?.toString() ?? null).toBe(orig.key?.toString() ?? null);
      const kind = orig.headers?.['test.kind']?.toString();
      const spec = BAD.find((b) => b.kind === kind);
      expect(spec, `the DLQ holds only the malformed messages (got ${kind})`).toBeDefined();
      expect(info.error).toMatch(spec?.reason ?? /never/);
      seen.add(orig.headers?.['test.n']?.toString() ?? '');
    }
    expect(seen.size).toBe(1000);

    const scored = new Set<string>();
    for (const m of await readAll(kafka, pipeline.topics.scores)) {
      const s = json<SeriesScores>(m);
      for (const p of s.points) scored.add(`${seriesId(s.source, s.metric)}@${p.ts}`);
    }
    for (const p of good) expect(scored.has(`${seriesId(p.source, p.metric)}@${p.ts}`)).toBe(true);
    expect(scored.size).toBe(2100);
  });
});
