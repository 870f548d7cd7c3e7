import { spawn, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../../src/contracts/anomaly.js';
import type { Score, SeriesScores } from '../../../src/contracts/score.js';
import { seriesId } from '../../../src/contracts/series.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { startDetectWorker } from '../../../src/worker/detect-worker.js';
import { testBrokers } from '../../helpers/kafka.js';
import { dataset, json, readAll, testPipeline, waitFor } from './helpers.js';

interface RunResult {
  events: Map<string, AnomalyEvent>;
  scores: Map<string, Score>;
}

const data = dataset(10, 1000);
const kcatMissing = spawnSync('kcat', ['-V']).error !== undefined;

describe('detect worker on the real broker', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-detect' });

  /** run a fresh worker (own topics and group) over points produced by `produce` */
  async function run(prefix: string, produce: (topic: string) => Promise<void>): Promise<RunResult> {
    const pipeline = testPipeline(prefix);
    const worker = await startDetectWorker({ kafka, pipeline });
    try {
      await produce(pipeline.topics.metrics);
      await waitFor(() => worker.stats().points >= data.points.length, 90_000, 'every point scored');
      expect(worker.stats().dlq).toBe(0);
    } finally {
      await worker.stop();
    }
    const events = new Map<string, AnomalyEvent>();
    for (const m of await readAll(kafka, pipeline.topics.anomalies)) {
      const e = json<AnomalyEvent>(m);
      events.set(e.id, e);
    }
    const scores = new Map<string, Score>();
    for (const m of await readAll(kafka, pipeline.topics.scores)) {
      const s = json<SeriesScores>(m);
      for (const p of s.points) scores.set(`${seriesId(s.source, s.metric)}@${p.ts}`, p);
    }
    return { events, scores };
  }

  let ref: RunResult;

  beforeAll(async () => {
    const producer = createProducer(kafka);
    try {
      ref = await run('kjs', (topic) => producer.sendPoints(topic, data.points));
    } finally {
      await producer.disconnect();
    }
  });

  it('scores 10,000 points produced with kafkajs and raises the injected anomalies', () => {
    expect(ref.scores.size).toBe(data.points.length);
    const firing = [...ref.events.values()].filter((e) => e.state === 'firing');
    let found = 0;
    let injected = 0;
    for (const [series, times] of data.spikes) {
      for (const ts of times) {
        injected++;
        if (firing.some((e) => seriesId(e.source, e.metric) === series && e.startedAt === ts)) found++;
      }
    }
    expect(injected).toBe(7);
    expect(found / injected).toBe(1);
    const onClean = [...ref.events.values()].filter((e) => data.clean.includes(seriesId(e.source, e.metric)));
    expect(onClean).toEqual([]);
    // every spike event explains itself
    for (const e of firing) expect(e.reason).toMatch(/cpu on host-\d+/);
  });

  it.skipIf(kcatMissing)('scores the same points produced as JSON lines by kcat identically', async () => {
    const got = await run('kcat', async (topic) => {
      // key:value lines; timestamps as ISO 8601 strings this time (normalised to the same epoch ms)
      const lines = data.points
        .map((p) => `${seriesId(p.source, p.metric)}:${JSON.stringify({ ...p, ts: new Date(p.ts).toISOString() })}`)
        .join('\n');
      await new Promise<void>((resolve, reject) => {
        const kcat = spawn('kcat', ['-b', brokers.join(','), '-t', topic, '-P', '-K:'], {
          stdio: ['pipe', 'ignore', 'pipe'],
        });
        let stderr = '';
        kcat.stderr.on('data', (d) => {
          stderr += String(d);
        });
        kcat.on('error', reject);
        kcat.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited ${code}: ${stderr}`))));
        kcat.stdin.end(`${lines}\n`);
      });
    });
    expect(got.scores.size).toBe(ref.scores.size);
    for (const [k, s] of ref.scores) expect(got.scores.get(k), k).toEqual(s);
    expect([...got.events.keys()].sort()).toEqual([...ref.events.keys()].sort());
    for (const [id, e] of ref.events) expect(got.events.get(id)).toEqual(e);
  });
  if (kcatMissing) it('kcat interop: SKIPPED — `kcat` is not installed (Debian package kcat)', () => undefined);
});
