import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startViewFeed, type ViewFeed } from '../../../src/api/feed.js';
import { createKafkaHealth } from '../../../src/api/health.js';
import { buildApi } from '../../../src/api/server.js';
import { producerSink } from '../../../src/api/sink.js';
import { createViews, type Views } from '../../../src/api/views.js';
import {
  type AnomalyEvent,
  type MetricPoint,
  type Score,
  type SeriesScores,
  seriesId,
} from '../../../src/contracts/index.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { decodeMetricMessage } from '../../../src/transport/metric-codec.js';
import { type BatchedProducer, createProducer } from '../../../src/transport/producer.js';
import { testBrokers } from '../../helpers/kafka.js';

const T0 = 1_700_000_000_000;
const LIMITS = { anomaliesKept: 1000, seriesKept: 100, pointsPerSeries: 50 };
const API_CONFIG = { host: '127.0.0.1', port: 0, bodyLimitBytes: 1_048_576, ...LIMITS };
const WAIT = { timeout: 60_000, interval: 200 };

function event(id: string, over: Partial<AnomalyEvent> = {}): AnomalyEvent {
  return {
    v: 1,
    id,
    state: 'firing',
    ts: T0,
    source: 'db-1',
    metric: 'latency',
    severity: 'critical',
    score: 0.9,
    scores: { zscore: 0.9, cusum: 0.4 },
    value: 250,
    expected: 20,
    lower: 10,
    upper: 30,
    startedAt: T0,
    reason: 'latency of db-1 is 250, expected 20 (10..30)',
    rule: 'spike',
    ...over,
  };
}

function scoreAt(ts: number, value: number, score: number): Score {
  return { ts, value, score, scores: { zscore: score }, expected: 20, lower: 10, upper: 30, status: 'ready' };
}

function batch(source: string, metric: string, points: Score[]): SeriesScores {
  return { v: 1, source, metric, partition: 0, fromOffset: '0', toOffset: String(points.length - 1), points };
}

describe('API views fed from the real broker', () => {
  const tag = randomUUID().slice(0, 8);
  const topics = {
    anomalies: `it-api-anomalies-${tag}`,
    scores: `it-api-scores-${tag}`,
    metrics: `it-api-metrics-${tag}`,
  };
  let kafka: Kafka;
  let admin: Admin;
  let producer: BatchedProducer;
  let views: Views;
  let feed: ViewFeed;
  let health: ReturnType<typeof createKafkaHealth>;
  let app: Awaited<ReturnType<typeof buildApi>>;
  const extra: { stop(): Promise<void> }[] = [];

  const json = (value: unknown) => JSON.stringify(value);
  const sendAnomalies = (events: AnomalyEvent[]) =>
    producer.send(
      topics.anomalies,
      events.map((e) => ({ key: seriesId(e.source, e.metric), value: json(e) })),
    );
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    kafka = createKafka({ brokers: testBrokers(), clientId: `it-api-${tag}`, logLevel: 'silent' });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })),
      waitForLeaders: true,
    });
    producer = createProducer(kafka);
    await producer.connect();

    // already in the log before the API starts: the feed must read from the beginning
    await sendAnomalies([event('a1')]);
    await producer.send(topics.scores, [
      {
        key: seriesId('db-1', 'latency'),
        value: json(batch('db-1', 'latency', [scoreAt(T0 - 1000, 21, 0.05), scoreAt(T0, 250, 0.9)])),
      },
    ]);
    // garbage mixed in: not JSON, wrong schema, tombstone — skipped, never fatal
    await producer.send(topics.anomalies, [
      { key: 'x', value: '{not json' },
      { key: 'x', value: json({ ...event('bad'), v: 99 }) },
      { key: 'x', value: null },
    ]);
    await producer.send(topics.scores, [{ key: 'x', value: json({ source: 'only' }) }]);

    views = createViews(LIMITS);
    feed = await startViewFeed({ kafka, topics, views });
    health = createKafkaHealth({ kafka, consumers: [feed] });
    app = await buildApi({
      config: API_CONFIG,
      sink: producerSink(producer, topics.metrics),
      views,
      health: health.check,
    });
  });

  afterAll(async () => {
    await app?.close();
    await feed?.stop();
    for (const s of extra) await s.stop().catch(() => {});
    await health?.close();
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
    await admin?.disconnect();
  });

  it('/readyz reports ready once the feed has its partitions', async () => {
    await vi.waitFor(async () => {
      const r = await get('/readyz');
      expect(r.body).toMatchObject({ ready: true, broker: true, consumersAssigned: true });
      expect(r.status).toBe(200);
    }, WAIT);
    expect(feed.assigned()).toBe(true);
  });

  it('shows what was in the log before start, and skips invalid messages', async () => {
    await vi.waitFor(async () => {
      const r = await get('/v1/anomalies');
      expect(r.body.anomalies.map((a: AnomalyEvent) => a.id)).toEqual(['a1']);
      expect(feed.stats().invalid).toBe(4);
    }, WAIT);
    const s = await get('/v1/series/db-1/latency');
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ status: 'ready', lastTs: T0, latest: { value: 250, score: 0.9 } });
    expect(s.body.points).toHaveLength(2);
    expect(s.body.lastAnomaly.id).toBe('a1');
  });

  it('live events: a duplicate id is kept once, firing → resolved replaces; filters apply', async () => {
    await sendAnomalies([
      event('a1', { state: 'resolved', ts: T0 + 60_000 }),
      event('a2', { ts: T0 + 120_000, startedAt: T0 + 120_000, source: 'db-2' }),
      event('a2', { ts: T0 + 120_000, startedAt: T0 + 120_000, source: 'db-2' }), // redelivered
    ]);
    await producer.send(topics.scores, [
      { key: seriesId('db-1', 'latency'), value: json(batch('db-1', 'latency', [scoreAt(T0 + 1000, 22, 0.1)])) },
    ]);
    await vi.waitFor(async () => {
      const r = await get('/v1/anomalies');
      expect(r.body.anomalies.map((a: AnomalyEvent) => [a.id, a.state])).toEqual([
        ['a2', 'firing'],
        ['a1', 'resolved'],
      ]);
      const s = await get('/v1/series/db-1/latency');
      expect(s.body.points).toHaveLength(3);
    }, WAIT);
    expect((await get('/v1/anomalies?source=db-2')).body.count).toBe(1);
    expect((await get(`/v1/anomalies?since=${T0 + 100_000}`)).body.anomalies[0].id).toBe('a2');
    expect((await get('/v1/series/db-1/latency')).body.lastAnomaly).toMatchObject({ id: 'a1', state: 'resolved' });
    expect((await get('/v1/series')).body.count).toBe(2);
  });

  it('POST /v1/metrics writes the points into Kafka keyed by series id', async () => {
    const points = Array.from({ length: 5 }, (_, i) => ({ ts: T0 + i, source: 'web', metric: `m${i % 2}`, value: i }));
    const res = await app.inject({ method: 'POST', url: '/v1/metrics', payload: { points } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 5 });

    const got: { key: string; value: MetricPoint }[] = [];
    const consumer: Consumer = kafka.consumer({ groupId: `it-api-check-${tag}` });
    extra.push({ stop: () => consumer.disconnect() });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.metrics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        // a metrics message is one point or a batch of one series' points
        const d = decodeMetricMessage(message.value);
        if (d.ok) for (const value of d.value) got.push({ key: String(message.key), value });
      },
    });
    await vi.waitFor(() => expect(got).toHaveLength(5), WAIT);
    await consumer.disconnect();
    for (const g of got) expect(g.key).toBe(seriesId(g.value.source, g.value.metric));
    expect(got.map((g) => g.value.value).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('a restarted API instance rebuilds the same views from the log', async () => {
    const fresh = createViews(LIMITS);
    const feed2 = await startViewFeed({ kafka, topics, views: fresh });
    extra.push(feed2);
    expect(feed2.groupId).not.toBe(feed.groupId);
    await vi.waitFor(() => {
      expect(fresh.anomalies()).toEqual(views.anomalies());
      expect(fresh.series('db-1', 'latency')).toEqual(views.series('db-1', 'latency'));
    }, WAIT);
    await feed2.stop();
    expect(feed2.assigned()).toBe(false);
  });
});
