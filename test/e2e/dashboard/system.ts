import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { startViewFeed, type ViewFeed } from '../../../src/api/feed.js';
import { createHealRecords, feedHealFromViews } from '../../../src/api/heal.js';
import { createKafkaHealth } from '../../../src/api/health.js';
import { type ApiDeps, buildApi } from '../../../src/api/server.js';
import { createViews, type Views } from '../../../src/api/views.js';
import { loadPipeline } from '../../../src/config/load.js';
import type { PipelineConfig } from '../../../src/config/pipeline.js';
import type { MetricPointInput } from '../../../src/contracts/metric.js';
import { EmbeddedCoordinator } from '../../../src/coord/index.js';
import { createSeriesScorer } from '../../../src/detect/index.js';
import { createHealEngine, type HealConfigInput, type HealEngine, SimActuator } from '../../../src/heal/index.js';
import {
  createMetrics,
  instrumentCoordinator,
  instrumentHeal,
  instrumentKafka,
  instrumentViews,
  instrumentWorkers,
  type Metrics,
  timedScorer,
} from '../../../src/metrics/index.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { type BatchedProducer, createProducer } from '../../../src/transport/producer.js';
import { type DetectWorker, startDetectWorker } from '../../../src/worker/detect-worker.js';

export const uid = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/** The default pipeline with topics and groups of its own, and an API on a free loopback port. */
export function testPipeline(prefix: string, api: Partial<PipelineConfig['api']> = {}): PipelineConfig {
  const p = loadPipeline('pipelines/default.yaml', { env: {} });
  const base = uid(prefix);
  return {
    ...p,
    topics: {
      partitions: 2,
      metrics: `${base}.metrics`,
      scores: `${base}.scores`,
      anomalies: `${base}.anomalies`,
      dlq: `${base}.dlq`,
    },
    worker: { ...p.worker, groupId: `${base}.detect` },
    api: { ...p.api, host: '127.0.0.1', port: 0, ...api },
  };
}

export interface RunningSystem {
  kafka: Kafka;
  pipeline: PipelineConfig;
  producer: BatchedProducer;
  worker: DetectWorker;
  feed: ViewFeed;
  views: Views;
  metrics: Metrics;
  app: FastifyInstance;
  base: string;
  send(points: MetricPointInput[]): Promise<void>;
  heal?: {
    engine: HealEngine;
    sim: SimActuator;
    coordinator: EmbeddedCoordinator;
    /** start feeding the engine with what reaches the views from now on */
    feed(): void;
  };
  stop(): Promise<void>;
}

/**
 * What `faultline start` runs, in-process: the topics, a detect worker, the view feed, and the API
 * with its metrics and dashboard, on the given brokers.
 */
export async function startSystem(
  brokers: string[],
  pipeline: PipelineConfig,
  extra: Partial<ApiDeps> = {},
  healConfig?: HealConfigInput,
): Promise<RunningSystem> {
  const kafka = createKafka({ brokers, clientId: uid('e2e-dashboard') });
  const t = pipeline.topics;
  await ensureTopics(
    kafka,
    [t.metrics, t.scores, t.anomalies, t.dlq].map((topic) => ({ topic, partitions: t.partitions })),
  );
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
  };
  try {
    const producer = createProducer(kafka);
    await producer.connect();
    stops.push(() => producer.disconnect());
    const metrics = createMetrics();
    const views = createViews({
      anomaliesKept: pipeline.api.anomaliesKept,
      seriesKept: pipeline.api.seriesKept,
      pointsPerSeries: pipeline.api.pointsPerSeries,
    });
    const feed = await startViewFeed({ kafka, topics: { anomalies: t.anomalies, scores: t.scores }, views });
    stops.push(() => feed.stop());
    instrumentViews(metrics, views, () => feed);
    const worker = await startDetectWorker({
      kafka,
      pipeline,
      scorer: timedScorer(createSeriesScorer(pipeline), metrics, { every: 1 }),
    });
    stops.push(() => worker.stop());
    await worker.ready;
    instrumentWorkers(metrics, () => [{ id: '0', worker }]);
    const lag = instrumentKafka(metrics, {
      kafka,
      dlqTopic: t.dlq,
      groups: () => [
        { groupId: pipeline.worker.groupId, topics: [t.metrics] },
        { groupId: feed.groupId, topics: [t.anomalies, t.scores] },
      ],
    });
    stops.push(() => lag.close());
    let heal: RunningSystem['heal'];
    let healDeps: ApiDeps['heal'];
    if (healConfig) {
      const coordinator = new EmbeddedCoordinator({ id: 'heal-e2e' });
      await coordinator.campaign();
      stops.push(() => coordinator.close());
      const sim = new SimActuator();
      const records = createHealRecords();
      const observe = instrumentHeal(metrics, () => engine);
      instrumentCoordinator(metrics, () => coordinator);
      const engine = createHealEngine({
        config: healConfig,
        coordinator,
        actuators: { sim },
        onRecord: (r) => {
          records.publish(r);
          observe.onRecord(r);
        },
      });
      heal = {
        engine,
        sim,
        coordinator,
        feed: () => {
          const unsubscribe = feedHealFromViews(views, engine);
          stops.push(async () => unsubscribe());
        },
      };
      healDeps = { engine, records, coordinator };
    }
    const health = createKafkaHealth({ kafka, consumers: [feed] });
    stops.push(() => health.close());
    const app = await buildApi({
      config: pipeline.api,
      sink: { sendPoints: (points) => producer.sendPoints(t.metrics, points) },
      views,
      health: health.check,
      metrics,
      ...(healDeps ? { heal: healDeps } : {}),
      ...extra,
    });
    const base = await app.listen({ host: pipeline.api.host, port: 0 });
    stops.push(() => app.close());
    return {
      kafka,
      pipeline,
      producer,
      worker,
      feed,
      views,
      metrics,
      app,
      base,
      ...(heal ? { heal } : {}),
      send: async (points) => {
        await producer.sendPoints(t.metrics, points);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
export const STEP = 60_000;

/** A smooth daily-ish wave with bounded noise (deterministic), per series. */
export function wave(source: string, metric: string, from: number, to: number, k: number): MetricPointInput[] {
  const out: MetricPointInput[] = [];
  for (let i = from; i < to; i++) {
    const noise = Math.sin(i * 12.9898 + k * 78.233) * 0.8;
    const value = 40 + 8 * k + 10 * Math.sin((2 * Math.PI * i) / 120) + noise;
    out.push({ ts: T0 + i * STEP, source, metric, value: Math.round(value * 100) / 100 });
  }
  return out;
}

/** Polls `cond` until true; an exception counts as not yet. */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      if (await cond()) return;
    } catch (e) {
      last = ` (last error: ${(e as Error).message})`;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
