import { describe, expect, it } from 'vitest';
import type { Comparison } from '../../../src/backtest/compare.js';
import { runBacktest } from '../../../src/cli/commands/backtest.js';
import type { AnomalyEvent } from '../../../src/contracts/anomaly.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { startDetectWorker } from '../../../src/worker/detect-worker.js';
import { testBrokers } from '../../helpers/kafka.js';
import { dataset, json, readAll, STEP, T0, testPipeline, waitFor } from '../worker/helpers.js';

describe('backtest of a recorded live run', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-backtest' });

  it('reproduces the live anomaly events (read from the anomalies topic) exactly, byte-identical on a second run', async () => {
    const data = dataset(20, 600, 15);
    const half = data.points.length / 2;
    const p = testPipeline('bt-live', 3);
    await ensureTopics(
      kafka,
      [p.topics.metrics, p.topics.scores, p.topics.anomalies, p.topics.dlq].map((topic) => ({ topic, partitions: 3 })),
    );
    // the live run, with a handover in the middle: worker A, clean stop, worker B restores and goes on
    const producer = createProducer(kafka);
    await producer.sendPoints(p.topics.metrics, data.points.slice(0, half));
    // a message a live worker dead-letters: the backtest counts it as invalid
    await producer.send(p.topics.metrics, [{ key: 'x|y', value: '{"broken":' }]);
    const a = await startDetectWorker({ kafka, pipeline: p });
    await waitFor(() => a.stats().points >= half, 60_000, 'worker A');
    await a.stop();
    const b = await startDetectWorker({ kafka, pipeline: p });
    await producer.sendPoints(p.topics.metrics, data.points.slice(half));
    await producer.disconnect();
    await waitFor(() => b.stats().points >= data.points.length - half, 60_000, 'worker B');
    await b.stop();
    expect(b.stats().changelog?.restoredPartitions).toBe(3);
    const live = new Map<string, AnomalyEvent>();
    for (const m of await readAll(kafka, p.topics.anomalies)) {
      const e = json<AnomalyEvent>(m);
      live.set(e.id, e);
    }
    expect([...live.values()].filter((e) => e.state === 'firing').length).toBeGreaterThanOrEqual(15);

    const backtest = async (from: string) => {
      let out = '';
      const report = await runBacktest(
        { from, events: p.topics.anomalies, json: true, brokers: brokers.join(',') },
        (s) => {
          out += s;
        },
      );
      return { out, report };
    };
    const first = await backtest(p.topics.metrics);
    expect(first.report.input).toMatchObject({ points: data.points.length, invalidMessages: 1, series: 20 });
    const c = first.report.comparison as Comparison;
    expect(c).toMatchObject({
      source: p.topics.anomalies,
      actualRead: live.size,
      actualInScope: live.size,
      matched: live.size,
      differing: [],
      onlyBacktest: [],
      onlyActual: [],
      identical: true,
    });
    expect(first.report.events).toEqual(
      [...live.values()].sort((x, y) => x.ts - y.ts || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)),
    );
    // deterministic: the same input twice → the same bytes
    expect((await backtest(p.topics.metrics)).out).toBe(first.out);

    // a window in the middle: detectors trained on the history before it, the live decisions within it reproduced
    const start = T0 + 250 * STEP;
    const end = T0 + 450 * STEP;
    const windowed = await backtest(`${p.topics.metrics}@${new Date(start).toISOString()}..${end}`);
    const inWindow = [...live.values()].filter((e) => e.ts >= start && e.ts < end);
    expect(inWindow.length).toBeGreaterThan(0);
    expect(windowed.report.comparison).toMatchObject({ matched: inWindow.length, identical: true });
    expect(windowed.report.input.warmupPoints).toBe(250 * 20);
  });
});
