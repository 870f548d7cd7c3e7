import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { PipelineConfig } from '../../../src/config/pipeline.js';
import { seriesId } from '../../../src/contracts/series.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { startDetectWorker } from '../../../src/worker/detect-worker.js';
import { testBrokers } from '../../helpers/kafka.js';
import { dataset, groupProgress, testPipeline, uid, waitFor } from '../worker/helpers.js';
import { collect, killHard, lastAssignment, restoredPartitions, spawnWorker, type WorkerChild } from './helpers.js';

const PARTITIONS = 8;

/** `"checkpoints":N` of a worker's latest stats line */
function checkpointsOf(log: string): number {
  const all = [...log.matchAll(/"checkpoints":(\d+)/g)];
  return all.length > 0 ? Number(all[all.length - 1]?.[1]) : 0;
}

describe('warm handover: three worker processes, one SIGKILLed mid-stream', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-handover' });
  /** the group's committed offset of each of `partitions` */
  const committedOffsets = async (groupId: string, topic: string, partitions: number[]) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map(
        (t?.partitions ?? [])
          .filter((x) => partitions.includes(x.partition))
          .map((x) => [x.partition, BigInt(x.offset)]),
      );
    } finally {
      await admin.disconnect();
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'faultline-handover-'));
  const children: WorkerChild[] = [];
  afterAll(() => {
    for (const c of children) killHard(c);
    rmSync(dir, { recursive: true, force: true });
  });

  it('survivors restore the moved series from the changelog: every point scored, scores identical to an uninterrupted run, none back to learning', async () => {
    const data = dataset(48, 600, 30); // 28,800 points, 30 injected spikes
    const total = data.points.length;
    const b = testPipeline('handover', PARTITIONS);
    // the uninterrupted reference: one in-process worker, its own group, outputs (and no changelog)
    const a: PipelineConfig = {
      ...b,
      topics: {
        ...b.topics,
        scores: `${b.topics.scores}.ref`,
        anomalies: `${b.topics.anomalies}.ref`,
        dlq: `${b.topics.dlq}.ref`,
      },
      worker: { ...b.worker, groupId: uid('handover-ref') },
    };
    await ensureTopics(
      kafka,
      [...new Set([...Object.values(b.topics), ...Object.values(a.topics)])]
        .filter((t): t is string => typeof t === 'string')
        .map((topic) => ({ topic, partitions: PARTITIONS })),
    );
    const file = join(dir, 'pipeline.yaml');
    writeFileSync(file, stringify(b));

    // three workers, a stable assignment before any data flows
    const args = ['--checkpoint-every', '3000', '--stats-every', '250'];
    for (const name of ['w1', 'w2', 'w3']) children.push(spawnWorker(name, file, brokers, args));
    const assigned = () => children.map((c) => lastAssignment(c.log(), b.topics.metrics) ?? []);
    await waitFor(
      () => {
        const as = assigned();
        return as.every((x) => x.length > 0) && as.flat().length === PARTITIONS;
      },
      60_000,
      () => `three workers sharing ${PARTITIONS} partitions\n${children.map((c) => c.log()).join('\n')}`,
    );

    // stream the input in 40 paced chunks; kill one worker mid-stream
    const producer = createProducer(kafka); // 100 points per message, as faultline's producers
    const chunk = total / 40;
    let sent = 0;
    const streaming = (async () => {
      for (let i = 0; i < total; i += chunk) {
        await producer.sendPoints(b.topics.metrics, data.points.slice(i, i + chunk));
        sent += chunk;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();

    const victim = children[0] as WorkerChild;
    const survivors = children.slice(1);
    const moved = [...(lastAssignment(victim.log(), b.topics.metrics) ?? [])];
    await waitFor(
      () => sent >= total * 0.4 && checkpointsOf(victim.log()) >= 2 * moved.length,
      90_000,
      () => `the victim to checkpoint mid-stream (sent ${sent})\n${victim.log()}`,
    );
    // kill once the victim committed more input on each of its partitions after its latest
    // checkpoint (every 3 s): the survivors replay that input on top of the restored state
    const n = checkpointsOf(victim.log());
    await waitFor(() => checkpointsOf(victim.log()) > n, 30_000, 'a fresh checkpoint round');
    const after = await committedOffsets(b.worker.groupId, b.topics.metrics, moved);
    await waitFor(
      async () => {
        const now = await committedOffsets(b.worker.groupId, b.topics.metrics, moved);
        return moved.every((p) => (now.get(p) ?? 0n) > (after.get(p) ?? 0n));
      },
      30_000,
      'the victim to commit more input after its checkpoint',
    );
    killHard(victim);
    await victim.exited;
    const sentAtKill = sent;
    expect(sentAtKill).toBeLessThan(total); // really mid-stream

    await streaming;
    await producer.disconnect();
    await waitFor(
      async () => {
        const g = await groupProgress(kafka, b.worker.groupId, b.topics.metrics);
        return g.committed >= g.high;
      },
      120_000,
      () => `the survivors to commit every offset\n${survivors.map((c) => c.log()).join('\n')}`,
    );
    const survivorLogs = () => survivors.map((c) => c.log()).join('\n');
    // the moved partitions were restored from the changelog, not rebuilt from the beginning
    const restored = restoredPartitions(survivorLogs());
    for (const p of moved)
      expect(
        restored.map((r) => r.partition),
        `partition ${p} restored`,
      ).toContain(p);
    // ... and only the input after the checkpoint was replayed, on top of the restored state
    expect(restored.some((r) => r.replay > 0)).toBe(true);
    expect(survivorLogs()).not.toMatch(/rebuilding partition state by replay/);
    expect(survivorLogs()).not.toMatch(/REFUSED/);
    for (const c of survivors) c.proc.kill('SIGTERM');
    for (const c of survivors) expect(await c.exited).toBe(0);
    // FAULTLINE_TEST_LOG_DIR=<dir>: keep the workers' logs
    const keep = process.env.FAULTLINE_TEST_LOG_DIR;
    if (keep) for (const c of children) writeFileSync(join(keep, `handover-${c.name}.log`), c.log());

    // the uninterrupted reference run over the same input
    const ref = await startDetectWorker({ kafka, pipeline: a, checkpoint: false });
    await waitFor(() => ref.stats().points >= total, 120_000, 'the reference worker');
    await ref.stop();

    const got = await collect(kafka, b);
    const want = await collect(kafka, a);
    expect(want.records).toBe(total);
    // every input point scored at least once, every score record (duplicates too) identical to the reference
    let duplicates = 0;
    for (const p of data.points) {
      const k = `${seriesId(p.source, p.metric)}@${p.ts}`;
      const list = got.scores.get(k);
      expect(list, k).toBeDefined();
      for (const s of list ?? []) expect(s, k).toEqual(want.scores.get(k)?.[0]);
      duplicates += (list?.length ?? 1) - 1;
    }
    expect(got.records).toBe(total + duplicates);
    // no moved series drops back to learning: once ready, ready for good
    const movedSeries = [...got.partitionOf].filter(([, p]) => moved.includes(p)).map(([id]) => id);
    expect(movedSeries.length).toBeGreaterThan(0);
    for (const id of movedSeries) {
      const statuses = data.points
        .filter((p) => seriesId(p.source, p.metric) === id)
        .flatMap((p) => (got.scores.get(`${id}@${p.ts}`) ?? []).map((s) => s.status));
      const firstReady = statuses.indexOf('ready');
      expect(firstReady, id).toBeGreaterThanOrEqual(0);
      expect(firstReady, id).toBeLessThan(sentAtKill / 48 / 2); // ready long before the kill
      expect(
        statuses.slice(firstReady).every((s) => s === 'ready'),
        id,
      ).toBe(true);
    }
    // the same anomaly events, none lost, none invented
    expect(want.events.size).toBeGreaterThanOrEqual(30);
    expect([...got.events.keys()].sort()).toEqual([...want.events.keys()].sort());
    for (const [id, e] of want.events) expect(got.events.get(id), id).toEqual(e);
  });
});
