import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startViewFeed } from '../../../src/api/feed.js';
import { producerLabelSink } from '../../../src/api/routes/labels.js';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import { runTrain } from '../../../src/cli/commands/train.js';
import type { Outcome } from '../../../src/contracts/outcome.js';
import { importFaults, importFromKafka } from '../../../src/ml/import-kafka.js';
import { generateSamples, writeSamples } from '../../../src/ml/synthetic.js';
import type { TrainResult } from '../../../src/ml/train.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { type BatchedProducer, createProducer } from '../../../src/transport/producer.js';
import { testBrokers } from '../../helpers/kafka.js';

const run = randomUUID().slice(0, 8);
const topics = {
  metrics: `it-import.metrics.${run}`,
  labels: `it-import.labels.${run}`,
  outcomes: `it-import.outcomes.${run}`,
  predictions: `it-import.predictions.${run}`,
};
const dir = mkdtempSync(join(tmpdir(), 'faultline-it-import-'));
const data = generateSamples({ seed: 4, sources: 2, steps: 700, meanGap: 50 });
let kafka: Kafka;
let producer: BatchedProducer;

const outcome: Outcome = {
  v: 1,
  actionId: 'act-1',
  faultId: 'fault-1',
  faultType: 'node_failure',
  strategy: 'restart',
  target: 'extra-node',
  success: true,
  timeToRecoverMs: 30_000,
  verifiedAt: data.points[0]!.ts + 3_600_000,
  details: { sinceOnsetMs: 600_000 },
};

beforeAll(async () => {
  kafka = createKafka({ brokers: testBrokers(), clientId: `it-import-${run}` });
  await ensureTopics(kafka, [
    { topic: topics.metrics, partitions: 3 },
    { topic: topics.labels, partitions: 2 },
    { topic: topics.outcomes, partitions: 1 },
    { topic: topics.predictions, partitions: 1 },
  ]);
  producer = createProducer(kafka);
  await producer.connect();
  for (let i = 0; i < data.points.length; i += 2000)
    await producer.sendPoints(topics.metrics, data.points.slice(i, i + 2000));
  await producer.send(topics.metrics, [{ key: 'x', value: '{not json' }]);
  await producer.send(
    topics.labels,
    data.faults.map((f) => ({ key: f.source, value: JSON.stringify(f) })),
  );
  await producer.send(topics.outcomes, [
    { key: 'fault-1', value: JSON.stringify(outcome) },
    { key: 'fault-2', value: JSON.stringify({ ...outcome, actionId: 'act-2', success: false, timeToRecoverMs: null }) },
  ]);
});

afterAll(async () => {
  await producer?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('samples from Kafka', () => {
  it('imports the metrics and fault topics up to the high-water mark at the start', async () => {
    const progress: number[] = [];
    const imp = await importFromKafka({
      kafka,
      metricsTopic: topics.metrics,
      faultTopics: [topics.labels, topics.outcomes],
      dir,
      onProgress: (p) => progress.push(p.read),
    });
    expect(imp.points).toBe(data.points.length);
    expect(imp.invalid).toBe(1);
    expect(imp.fromOutcomes).toBe(1); // the failed outcome dates no fault
    expect(imp.faults).toBe(data.faults.length + 1);
    const total = Object.values(imp.offsets)
      .flat()
      .reduce((a, o) => a + Number(o.high) - Number(o.low), 0);
    expect(imp.messages).toBe(total);
    expect(progress.at(-1)).toBe(total);
    const faults = readFileSync(imp.faultsFile as string, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(faults).toContainEqual(
      expect.objectContaining({ source: 'extra-node', type: 'node_failure', start: outcome.verifiedAt - 600_000 }),
    );
  });

  it('faultline train --samples kafka:… --faults kafka:… trains like from the same files', {
    timeout: 180_000,
  }, async () => {
    const files = await writeSamples(join(dir, 'files'), data);
    const common = {
      model: 'predictor',
      epochs: '3',
      window: '10',
      seed: '2',
      save: false,
      progress: false,
      json: true,
    };
    const quiet = () => {};
    const fromKafka = (await runTrain(
      {
        ...common,
        samples: `kafka:${topics.metrics}`,
        faults: `kafka:${topics.labels}`,
        brokers: testBrokers().join(','),
        horizon: `${data.horizonMs}ms`,
      },
      quiet,
    )) as TrainResult;
    const fromFiles = (await runTrain(
      { ...common, samples: files.metrics, faults: files.faults, horizon: `${data.horizonMs}ms` },
      quiet,
    )) as TrainResult;
    expect(fromKafka.training.windows).toEqual(fromFiles.training.windows);
    expect(fromKafka.training.windows.test).toBeGreaterThan(0);
    expect(fromKafka.features).toEqual(fromFiles.features);
    expect(fromKafka.evaluation).toEqual(fromFiles.evaluation);
  });
});

describe('labels and predictions through the API', () => {
  it('POST /v1/labels writes to the labels topic, where retraining reads them back', async () => {
    const app = await buildApi({
      config: {
        host: '127.0.0.1',
        port: 0,
        bodyLimitBytes: 65536,
        anomaliesKept: 10,
        seriesKept: 10,
        pointsPerSeries: 10,
      },
      views: createViews({ anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 10 }),
      sink: { sendPoints: async () => {} },
      health: async () => ({ broker: true, consumersAssigned: true }),
      labels: producerLabelSink(producer, topics.labels),
    });
    try {
      const label = { source: 'api-node', start: 1_000, end: 61_000, type: 'data_corruption', severity: 'warning' };
      const res = await app.inject({ method: 'POST', url: '/v1/labels', payload: label });
      expect(res.statusCode).toBe(202);
    } finally {
      await app.close();
    }
    const back = await importFaults({ kafka, topics: [topics.labels, topics.outcomes] });
    expect(back.faults).toContainEqual({
      v: 1,
      source: 'api-node',
      start: 1_000,
      end: 61_000,
      type: 'data_corruption',
      severity: 'warning',
    });
    expect(back.labels).toBe(data.faults.length + 1);
  });

  it('the view feed keeps the latest predictions of the predictions topic for GET /v1/predictions', async () => {
    const pred = (ts: number, p: number) => ({
      v: 1,
      id: `db-0|web|${ts}`,
      ts,
      source: 'db-0',
      model: { name: 'web', version: 1, kind: 'predictor' },
      horizonMs: 1_800_000,
      score: null,
      faults: [{ type: 'node_failure', p }],
      contributors: [],
      reason: 'test',
    });
    await producer.send(topics.predictions, [
      { key: 'db-0', value: JSON.stringify(pred(1000, 0.2)) },
      { key: 'db-0', value: JSON.stringify(pred(2000, 0.7)) },
      { key: 'db-0', value: '{"v":1}' },
    ]);
    const views = createViews({ anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 10 });
    const feed = await startViewFeed({
      kafka,
      topics: { anomalies: topics.outcomes, scores: topics.labels, predictions: topics.predictions },
      views,
    });
    try {
      await vi.waitFor(() => expect(feed.stats().predictions).toBe(2), { timeout: 30_000, interval: 200 });
      expect(views.predictions({ horizonMs: 1_800_000 }).map((p) => [p.ts, p.faults[0]?.p])).toEqual([[2000, 0.7]]);
    } finally {
      await feed.stop();
    }
  });
});
