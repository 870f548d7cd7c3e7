import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type Supervisor, startSupervisor, workerChildren } from '../../../src/supervise/index.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { testBrokers } from '../../helpers/kafka.js';
import { dataset, groupProgress, testPipeline, waitFor } from '../worker/helpers.js';

describe('supervised detect worker processes', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-supervise' });
  const dir = mkdtempSync(join(tmpdir(), 'faultline-supervise-'));
  const sups: Supervisor[] = [];
  afterAll(async () => {
    for (const s of sups) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a worker that crashes (SIGKILL) is restarted, rejoins the group, and the input is processed', async () => {
    const p = testPipeline('supervise', 4);
    await ensureTopics(
      kafka,
      [p.topics.metrics, p.topics.scores, p.topics.anomalies, p.topics.dlq].map((topic) => ({ topic, partitions: 4 })),
    );
    const file = join(dir, 'pipeline.yaml');
    writeFileSync(file, stringify(p));
    const sup = startSupervisor({
      children: workerChildren({
        count: 2,
        pipelineFile: file,
        brokers,
        extraArgs: ['--session-timeout', '6000', '--stats-every', '0'],
        env: { ...process.env, FAULTLINE_KAFKA_LOG_LEVEL: 'error' },
      }),
      intensity: { maxRestarts: 3, periodMs: 60_000 },
    });
    sups.push(sup);
    const running = () => sup.status().children.every((c) => c.state === 'running');
    await waitFor(running, 60_000, () => `both workers running: ${JSON.stringify(sup.status(), null, 1)}`);

    const victim = sup.status().children[0];
    expect(victim?.pid).toBeGreaterThan(0);
    process.kill(victim?.pid as number, 'SIGKILL');
    await waitFor(
      () => sup.status().children[0]?.restarts === 1 && running(),
      60_000,
      () => `worker-1 restarted: ${JSON.stringify(sup.status(), null, 1)}`,
    );
    const st = sup.status();
    expect(st.state).toBe('running');
    expect(st.children[0]?.pid).not.toBe(victim?.pid);
    expect(st.children[0]?.lastExit).toMatchObject({ signal: 'SIGKILL', description: 'killed by SIGKILL' });
    expect(st.children[1]?.restarts).toBe(0); // one-for-one: the other worker was left alone

    // the restarted group does its job
    const data = dataset(8, 200, 0);
    const producer = createProducer(kafka);
    await producer.sendPoints(p.topics.metrics, data.points);
    await producer.disconnect();
    await waitFor(
      async () => {
        const g = await groupProgress(kafka, p.worker.groupId, p.topics.metrics);
        return g.high > 0n && g.committed >= g.high;
      },
      90_000,
      () => `every offset committed: ${JSON.stringify(sup.status(), null, 1)}`,
    );
    await sup.stop();
    expect(await sup.done).toEqual({ state: 'stopped' });
    // stopped cleanly: SIGTERM, exit 0
    for (const c of sup.status().children) expect(c.lastExit?.code, c.name).toBe(0);
  });

  it('a worker crashing faster than the restart limit makes the supervisor stop and say why', async () => {
    const p = testPipeline('supervise-bad', 1);
    const file = join(dir, 'bad.yaml');
    // a configuration error the worker reports (exit 2) on every start
    writeFileSync(file, stringify({ ...p, detectors: [{ kind: 'robust', window: 2 }] }));
    const sup = startSupervisor({
      children: workerChildren({ count: 2, pipelineFile: file, brokers }),
      intensity: { maxRestarts: 2, periodMs: 60_000 },
      restartDelayMs: 100,
    });
    sups.push(sup);
    const end = await sup.done;
    expect(end.state).toBe('failed');
    const reason = end.state === 'failed' ? end.reason : '';
    expect(reason).toMatch(
      /^child worker-\d exit code 2, and restarting it would be restart 3 within 60 s, over the limit of 2 restarts in 60 s/,
    );
    // the reason carries the worker's own explanation
    expect(reason).toMatch(/detectors\[0\]\.window/);
    expect(sup.status().state).toBe('failed');
  });
});
