import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createHealRecords } from '../../../src/api/heal.js';
import { hashApiKey } from '../../../src/api/keys.js';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import { type AnomalyEvent, SCHEMA_VERSION } from '../../../src/contracts/index.js';
import { EmbeddedCoordinator } from '../../../src/coord/index.js';
import { createHealEngine, SimActuator } from '../../../src/heal/index.js';
import { createTrainingJobs } from '../../../src/ml/jobs.js';
import type { TrainJob } from '../../../src/ml/train.js';
import type { SupervisorStatus } from '../../../src/supervise/supervisor.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';

/** The key Schemathesis sends (admin: every route is reachable). */
export const FUZZ_ADMIN_KEY = 'fl_fuzz_admin_0123456789abcdef0123456789abcdef';

const T0 = Date.UTC(2024, 0, 1);

export interface FuzzApi {
  app: FastifyInstance;
  url: string;
  stop(): Promise<void>;
}

function anomaly(source: string, ts: number, over: Partial<AnomalyEvent> = {}): AnomalyEvent {
  return {
    v: SCHEMA_VERSION,
    id: `${source}:up:${ts}`,
    state: 'firing',
    ts,
    source,
    metric: 'up',
    severity: 'critical',
    score: 0.99,
    scores: { zscore: 0.99 },
    value: 0,
    expected: 1,
    lower: 0.9,
    upper: 1.1,
    startedAt: ts,
    reason: `up of ${source} is 0, expected 1`,
    rule: 'critical',
    ...over,
  };
}

/**
 * The whole API as `faultline start` serves it, listening on a free loopback port: POST /v1/metrics
 * writes to a real Kafka topic, the views hold a few anomalies and scored points, and a heal engine
 * (embedded coordinator, simulated actuator) has a pending approval, so every route answers with
 * data rather than only with empty lists. Keys are configured: Schemathesis sends the admin key.
 */
export async function startFuzzApi(brokers: string[]): Promise<FuzzApi> {
  const topic = `fuzz-metrics-${process.pid}-${Date.now()}`;
  const kafka = createKafka({ brokers, clientId: 'faultline-fuzz' });
  await ensureTopics(kafka, [{ topic, partitions: 1 }]);
  const producer = createProducer(kafka);

  const views = createViews({ anomaliesKept: 200, seriesKept: 100, pointsPerSeries: 50 });
  const coordinator = new EmbeddedCoordinator({ id: 'fuzz-engine', startToken: 3 });
  await coordinator.campaign();
  const records = createHealRecords();
  const engine = createHealEngine({
    config: {
      correlation: { groupWait: 0 },
      groups: [{ name: 'data', members: ['db', 'db-b'], replicated: true, maxUnavailablePercent: 50 }],
      policies: { node_failure: { strategies: ['failover', 'escalate'], learn: false } },
      approval: { strategies: { failover: 'semi-automatic' }, timeout: '10m' },
    },
    coordinator,
    actuators: { sim: new SimActuator() },
    onRecord: records.publish,
  });

  // model registry in a temp folder; training jobs accepted but never run (no tfjs work while fuzzing)
  const modelsDir = mkdtempSync(join(tmpdir(), 'faultline-fuzz-models-'));
  const idleTraining = (): TrainJob => {
    let cancel = () => {};
    const result = new Promise<never>((_, reject) => {
      cancel = () => reject(new Error('cancelled'));
    });
    result.catch(() => {});
    return { result, stop: () => cancel(), cancel: async () => cancel() };
  };
  const jobs = createTrainingJobs({ modelsDir, start: idleTraining });
  const supervisor: SupervisorStatus = {
    state: 'running',
    reason: null,
    intensity: { maxRestarts: 5, periodMs: 60_000, recentRestarts: 0 },
    children: [],
  };

  const app = await buildApi({
    config: {
      host: '127.0.0.1',
      port: 0,
      bodyLimitBytes: 65_536,
      anomaliesKept: 200,
      seriesKept: 100,
      pointsPerSeries: 50,
      keys: [{ name: 'fuzz-admin', scopes: ['admin'], hash: hashApiKey(FUZZ_ADMIN_KEY) }],
      // on, so the 429 answers are in the document, but far above what the fuzzer sends
      rateLimit: { max: 1_000_000, window: 60_000 },
    },
    views,
    sink: { sendPoints: (points) => producer.sendPoints(topic, points) },
    health: async () => ({ broker: true, consumersAssigned: true }),
    heal: { engine, records, coordinator },
    models: { modelsDir, jobs },
    labels: { sendLabels: async () => {} },
    supervisor: { status: () => supervisor },
  });

  // Something in every view: anomalies, scored series, and a pending failover approval.
  for (let i = 0; i < 3; i++) views.addAnomaly(anomaly(`web-${i}`, T0 + i * 60_000));
  for (const source of ['web-0', 'db']) {
    const points = Array.from({ length: 5 }, (_, i) => ({
      ts: T0 + i * 60_000,
      value: 40 + i,
      score: i === 4 ? 0.9 : 0.1,
      scores: { zscore: i === 4 ? 0.9 : 0.1 },
      expected: 41,
      lower: 38,
      upper: 44,
      status: 'ready' as const,
    }));
    views.addScores({ v: SCHEMA_VERSION, source, metric: 'cpu', partition: 0, fromOffset: '0', toOffset: '5', points });
  }
  await engine.onAnomaly(anomaly('db', T0));

  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    url,
    async stop() {
      await app.close();
      await jobs.close();
      await coordinator.close();
      rmSync(modelsDir, { recursive: true, force: true });
      await producer.disconnect();
    },
  };
}
