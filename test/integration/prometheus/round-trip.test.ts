import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeExporter, startNodeExporter } from '../../../infra/prometheus/node-exporter.js';
import { type PrometheusServer, startPrometheus } from '../../../infra/prometheus/server.js';
import { buildApi } from '../../../src/api/server.js';
import { producerSink } from '../../../src/api/sink.js';
import { createViews } from '../../../src/api/views.js';
import type { PipelineConfig } from '../../../src/config/pipeline.js';
import type { MetricPoint } from '../../../src/contracts/metric.js';
import type { SeriesScores } from '../../../src/contracts/score.js';
import { createMetrics } from '../../../src/metrics/registry.js';
import { type Scraper, startScraper } from '../../../src/scrape/scraper.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { type BatchedProducer, createProducer } from '../../../src/transport/producer.js';
import { type DetectWorker, startDetectWorker } from '../../../src/worker/detect-worker.js';
import { testBrokers } from '../../helpers/kafka.js';
import { testPipeline, uid, waitFor } from '../worker/helpers.js';

/** Everything on `topic` from the beginning, decoded as JSON (a message may be an array), into `into`. */
async function collect<T>(kafka: Kafka, topic: string, into: T[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: uid('it-prom-reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = JSON.parse(message.value?.toString('utf8') ?? 'null') as T | T[];
      if (Array.isArray(v)) into.push(...v);
      else into.push(v);
    },
  });
  return consumer;
}

const CPU_IDLE = 'rate(node_cpu_seconds_total{cpu="0",mode="idle"})';
const MEM = 'node_memory_MemAvailable_bytes';

describe("Prometheus in: the host's real CPU and memory series through Debian's prometheus and node-exporter", () => {
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'it-prometheus' });
  const dir = mkdtempSync(join(tmpdir(), 'faultline-prom-'));
  const cleanups: Array<[string, () => Promise<unknown>]> = [];
  let pipeline: PipelineConfig;
  let producer: BatchedProducer;
  let exporter: NodeExporter;
  let worker: DetectWorker;

  beforeAll(async () => {
    pipeline = testPipeline('it-prom', 2);
    // the worker creates the pipeline's topics and scores everything on the metrics topic
    worker = await startDetectWorker({ kafka, pipeline, checkpoint: false });
    cleanups.push(['detect worker', () => worker.stop()]);
    producer = createProducer(kafka);
    await producer.connect();
    cleanups.push(['producer', () => producer.disconnect()]);
    exporter = await startNodeExporter({ dir, collectors: ['cpu', 'meminfo', 'loadavg'] });
    cleanups.push(['node-exporter', () => exporter.stop()]);
  });

  afterAll(async () => {
    // everything started is stopped, in reverse order, even when a step failed
    for (const [name, stop] of cleanups.reverse()) {
      try {
        await stop();
      } catch (err) {
        process.stderr.write(`stopping ${name} failed: ${(err as Error).message}\n`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prometheus scrapes node-exporter and remote-writes into faultline: the series reach the metrics topic and are scored', async () => {
    const topic = pipeline.topics.metrics;
    const metrics = createMetrics({ processMetrics: false });
    const app: FastifyInstance = await buildApi({
      config: { ...pipeline.api, host: '127.0.0.1', port: 0 },
      sink: producerSink(producer, topic),
      views: createViews({ anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 10 }),
      health: async () => ({ broker: true, consumersAssigned: true }),
      metrics,
      dashboard: false,
      remoteWrite: pipeline.remoteWrite,
    });
    cleanups.push(['API', () => app.close()]);
    const api = await app.listen({ host: '127.0.0.1', port: 0 });

    const prom: PrometheusServer = await startPrometheus({
      dir: join(dir, 'prometheus'),
      scrape: { node: [exporter.address] },
      scrapeInterval: '1s',
      remoteWrite: { url: `${api}/api/v1/write` },
    });
    cleanups.push(['prometheus', () => prom.stop()]);

    const points: MetricPoint[] = [];
    const scores: SeriesScores[] = [];
    const c1 = await collect(kafka, topic, points);
    cleanups.push(['metrics reader', () => c1.disconnect()]);
    const c2 = await collect(kafka, pipeline.topics.scores, scores);
    cleanups.push(['scores reader', () => c2.disconnect()]);

    const source = exporter.address; // the `instance` label
    const of = (metric: string) => points.filter((p) => p.source === source && p.metric === metric);
    await waitFor(
      () => of(MEM).length >= 3 && of(CPU_IDLE).length >= 3,
      90_000,
      () => `3 memory and 3 cpu points from ${source}; have ${points.length} points (prometheus log: ${prom.logFile})`,
    );

    const mem = of(MEM);
    for (const p of mem) {
      expect(p.value).toBeGreaterThan(0);
      expect(p.value).toBeLessThanOrEqual(totalmem());
      expect(p.labels).toEqual({ instance: source, job: 'node' });
    }
    // seconds idle per second on one CPU: between 0 and 1 (a little slack for scrape jitter)
    for (const p of of(CPU_IDLE)) {
      expect(p.value).toBeGreaterThanOrEqual(0);
      expect(p.value).toBeLessThan(1.5);
    }
    // timestamps come from Prometheus' scrapes (data time), one a second, in order
    const ts = mem.map((p) => p.ts);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    expect(Math.abs((ts.at(-1) as number) - Date.now())).toBeLessThan(120_000);
    // no raw counters and no NaN on the topic
    expect(points.some((p) => p.metric.startsWith('node_cpu_seconds_total'))).toBe(false);
    expect(points.every((p) => typeof p.value === 'number' && Number.isFinite(p.value))).toBe(true);

    const scored = (metric: string) =>
      scores.filter((s) => s.source === source && s.metric === metric).flatMap((s) => s.points);
    await waitFor(
      () => scored(MEM).length >= 3 && scored(CPU_IDLE).length >= 3,
      90_000,
      () =>
        `scores for ${MEM} and ${CPU_IDLE}; have ${scores.length} score batches, worker ${JSON.stringify(worker.stats())}`,
    );
    for (const s of [...scored(MEM), ...scored(CPU_IDLE)]) {
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(Object.keys(s.scores).length).toBeGreaterThan(0);
    }
    expect(worker.stats().dlq).toBe(0);
    const text = await metrics.render();
    expect(text).toMatch(/faultline_remote_write_requests_total\{code="204"\} [1-9]/);
    expect(text).not.toMatch(/faultline_remote_write_requests_total\{code="(4|5)\d\d"\}/);
  });

  it('the pull scraper reads the same node-exporter and writes to the metrics topic', async () => {
    const topic = pipeline.topics.metrics;
    const points: MetricPoint[] = [];
    const reader = await collect(kafka, topic, points);
    cleanups.push(['scraper reader', () => reader.disconnect()]);
    const scraper: Scraper = startScraper({
      config: { targets: [{ url: exporter.url, job: 'node-pull' }], interval: '1s', labels: { via: 'scraper' } },
      sink: producerSink(producer, topic),
    });
    cleanups.push(['scraper', () => scraper.stop()]);

    const source = exporter.address;
    const mine = (metric: string) => points.filter((p) => p.source === source && p.metric === metric);
    const memName = `${MEM}{via="scraper"}`;
    const cpuName = 'rate(node_cpu_seconds_total{cpu="0",mode="idle",via="scraper"})';
    await waitFor(
      () => mine(memName).length >= 2 && mine(cpuName).length >= 2 && mine('up{via="scraper"}').length >= 2,
      60_000,
      () => `scraped memory, cpu and up points; status ${JSON.stringify(scraper.status())}`,
    );
    for (const p of mine(memName)) {
      expect(p.value).toBeGreaterThan(0);
      expect(p.labels).toEqual({ instance: source, job: 'node-pull' });
    }
    expect(mine('up{via="scraper"}').every((p) => p.value === 1)).toBe(true);
    const [status] = scraper.status().targets;
    expect(status).toMatchObject({ health: 'up', failures: 0, badLines: 0 });
    expect(status?.samples).toBeGreaterThan(20);
  });
});
