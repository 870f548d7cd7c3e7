import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { PipelineConfig } from '../../../src/config/pipeline.js';
import type { AnomalyEvent } from '../../../src/contracts/anomaly.js';
import type { Score, SeriesScores } from '../../../src/contracts/score.js';
import { seriesId } from '../../../src/contracts/series.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { startDetectWorker } from '../../../src/worker/detect-worker.js';
import { testBrokers } from '../../helpers/kafka.js';
import { dataset, groupProgress, json, readAll, testPipeline, uid, waitFor } from './helpers.js';

interface Child {
  proc: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

/** `src/worker/main.ts` as a separate process, as in production */
function spawnWorker(pipelineFile: string, brokers: string[]): Child {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/worker/main.ts',
      '--pipeline',
      pipelineFile,
      '--brokers',
      brokers.join(','),
      '--session-timeout',
      '6000',
      '--stats-every',
      '0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FAULTLINE_KAFKA_LOG_LEVEL: 'error' } },
  );
  let log = '';
  proc.stderr?.on('data', (d) => {
    log += String(d);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, log: () => log, exited };
}

async function collect(kafka: ReturnType<typeof createKafka>, p: PipelineConfig) {
  const events = new Map<string, AnomalyEvent>();
  for (const m of await readAll(kafka, p.topics.anomalies)) {
    const e = json<AnomalyEvent>(m);
    events.set(e.id, e);
  }
  const scores = new Map<string, Score>();
  let scoredPoints = 0;
  for (const m of await readAll(kafka, p.topics.scores)) {
    const s = json<SeriesScores>(m);
    for (const pt of s.points) {
      scoredPoints++;
      scores.set(`${seriesId(s.source, s.metric)}@${pt.ts}`, pt);
    }
  }
  return { events, scores, scoredPoints };
}

describe('detect worker process: SIGKILL mid-stream and restart', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-crash' });
  const dir = mkdtempSync(join(tmpdir(), 'faultline-crash-'));
  const children: Child[] = [];
  afterAll(() => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('processes every input point at least once and loses no anomaly event', async () => {
    const data = dataset(40, 500, 30); // 20,000 points, 30 injected spikes
    const total = data.points.length;
    // the killed worker (B) and an uninterrupted reference worker (A) read the same input topic
    const b = testPipeline('crash', 3);
    const a: PipelineConfig = {
      ...b,
      topics: {
        ...b.topics,
        scores: `${b.topics.scores}.ref`,
        anomalies: `${b.topics.anomalies}.ref`,
        dlq: `${b.topics.dlq}.ref`,
      },
      worker: { ...b.worker, groupId: uid('crash-ref') },
    };
    await ensureTopics(
      kafka,
      [...new Set([...Object.values(b.topics), ...Object.values(a.topics)])]
        .filter((t): t is string => typeof t === 'string')
        .map((topic) => ({ topic, partitions: 3 })),
    );
    const file = join(dir, 'pipeline.yaml');
    writeFileSync(file, stringify(b));

    // stream the input in 40 paced chunks so the kill lands mid-stream
    // one point per message: the test counts committed offsets as points
    const producer = createProducer(kafka, { pointsPerMessage: 1 });
    const chunk = total / 40;
    let sent = 0;
    const streaming = (async () => {
      for (let i = 0; i < total; i += chunk) {
        await producer.sendPoints(b.topics.metrics, data.points.slice(i, i + chunk));
        sent += chunk;
        await new Promise((r) => setTimeout(r, 150));
      }
    })();

    const first = spawnWorker(file, brokers);
    children.push(first);
    await waitFor(
      async () => (await groupProgress(kafka, b.worker.groupId, b.topics.metrics)).committed >= 3_000n,
      60_000,
      () => `the first worker to commit 3,000 offsets\n${first.log()}`,
    );
    first.proc.kill('SIGKILL');
    await first.exited;
    const atKill = await groupProgress(kafka, b.worker.groupId, b.topics.metrics);
    expect(atKill.committed).toBeLessThan(BigInt(total)); // really mid-stream

    const second = spawnWorker(file, brokers);
    children.push(second);
    await streaming;
    await producer.disconnect();
    expect(sent).toBe(total);
    await waitFor(
      async () => (await groupProgress(kafka, b.worker.groupId, b.topics.metrics)).committed >= BigInt(total),
      90_000,
      () => `the restarted worker to commit every offset\n${second.log()}`,
    );
    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0); // clean shutdown on SIGTERM
    // state rebuilt: from the changelog (when the first worker checkpointed before the kill) or by replay
    expect(second.log()).toMatch(/rebuilding partition state by replay|restored partition state from the changelog/);

    // the uninterrupted reference run over the same input
    const ref = await startDetectWorker({ kafka, pipeline: a });
    await waitFor(() => ref.stats().points >= total, 90_000, 'the reference worker');
    await ref.stop();

    const got = await collect(kafka, b);
    const want = await collect(kafka, a);
    expect(want.scores.size).toBe(total);
    // every input point processed at least once (some twice: those after the last commit before the kill)
    for (const p of data.points) expect(got.scores.has(`${seriesId(p.source, p.metric)}@${p.ts}`)).toBe(true);
    expect(got.scoredPoints).toBeGreaterThanOrEqual(total);
    // the same scores as the uninterrupted run, point for point
    for (const [k, s] of want.scores) expect(got.scores.get(k), k).toEqual(s);
    // no anomaly event lost, none invented
    expect(want.events.size).toBeGreaterThanOrEqual(30);
    const missing = [...want.events.keys()].filter((id) => !got.events.has(id));
    expect(missing).toEqual([]);
    expect([...got.events.keys()].sort()).toEqual([...want.events.keys()].sort());
  });
});
