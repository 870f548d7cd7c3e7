import { describe, expect, it } from 'vitest';
import type { PipelineConfig } from '../../../src/config/pipeline.js';
import { seriesId } from '../../../src/contracts/series.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createLog } from '../../../src/transport/log.js';
import { createProducer } from '../../../src/transport/producer.js';
import { startDetectWorker } from '../../../src/worker/detect-worker.js';
import { testBrokers } from '../../helpers/kafka.js';
import { dataset, testPipeline, uid, waitFor } from '../worker/helpers.js';
import { collect } from './helpers.js';

const PARTITIONS = 4;

/** a logger whose lines are kept */
function capture() {
  const lines: string[] = [];
  return { log: createLog({ level: 'info', write: (l) => lines.push(l) }), text: () => lines.join('\n') };
}

/** the same pipeline reading the same input, with its own group and outputs */
function sibling(p: PipelineConfig, suffix: string, over: Partial<PipelineConfig> = {}): PipelineConfig {
  return {
    ...p,
    ...over,
    topics: {
      ...p.topics,
      scores: `${p.topics.scores}.${suffix}`,
      anomalies: `${p.topics.anomalies}.${suffix}`,
      dlq: `${p.topics.dlq}.${suffix}`,
    },
    worker: { ...p.worker, groupId: uid(`restore-${suffix}`) },
  };
}

describe('state changelog: clean handover and refused state', () => {
  const brokers = testBrokers();
  const kafka = createKafka({ brokers, clientId: 'it-restore' });

  it('a clean stop writes a final checkpoint: the next worker resumes every partition with nothing to replay; a worker with another detector configuration refuses that state and rebuilds by replay', async () => {
    const data = dataset(20, 400, 10);
    const half = data.points.length / 2;
    const p = testPipeline('restore', PARTITIONS);
    const ref = sibling(p, 'ref');
    // another alarm threshold: another state fingerprint
    const other: PipelineConfig = {
      ...p,
      alarms: p.alarms.map((r, i) => (i === 0 ? { ...r, threshold: 0.7 } : r)),
    };
    const otherRef = sibling(other, 'otherref');
    await ensureTopics(
      kafka,
      [
        ...new Set(
          [p, ref, otherRef].flatMap((x) => [x.topics.metrics, x.topics.scores, x.topics.anomalies, x.topics.dlq]),
        ),
      ].map((topic) => ({ topic, partitions: PARTITIONS })),
    );
    const producer = createProducer(kafka);
    try {
      // worker A: the first half, then a clean stop
      await producer.sendPoints(p.topics.metrics, data.points.slice(0, half));
      const a = await startDetectWorker({ kafka, pipeline: p, checkpoint: { intervalMs: 60_000 } });
      await waitFor(() => a.stats().points >= half, 60_000, 'worker A');
      await a.stop();
      expect(a.stats().changelog?.checkpoints).toBe(PARTITIONS); // the final checkpoint, one per partition

      // worker B, same group: restores every partition, replays nothing, scores the second half
      const bLog = capture();
      const b = await startDetectWorker({ kafka, pipeline: p, log: bLog.log, checkpoint: { intervalMs: 60_000 } });
      await producer.sendPoints(p.topics.metrics, data.points.slice(half));
      await waitFor(() => b.stats().points >= data.points.length - half, 60_000, 'worker B');
      await b.stop();
      expect(b.stats().changelog?.restoredPartitions).toBe(PARTITIONS);
      expect(b.stats().changelog?.restoredSeries).toBe(20);
      expect(b.stats().replayedPoints).toBe(0);
      expect(bLog.text()).not.toMatch(/rebuilding partition state by replay/);

      // the reference: one uninterrupted worker, no changelog
      const r = await startDetectWorker({ kafka, pipeline: ref, checkpoint: false });
      await waitFor(() => r.stats().points >= data.points.length, 60_000, 'the reference');
      await r.stop();
      const got = await collect(kafka, p);
      const want = await collect(kafka, ref);
      expect(got.records).toBe(data.points.length);
      for (const [k, s] of want.scores) expect(got.scores.get(k), k).toEqual(s);
      expect([...got.events.keys()].sort()).toEqual([...want.events.keys()].sort());

      // worker D: another configuration in the same group: refuses the checkpoints, rebuilds by replay
      const dLog = capture();
      const d = await startDetectWorker({ kafka, pipeline: other, log: dLog.log, checkpoint: { intervalMs: 60_000 } });
      // (a partition is restored or rebuilt when its first new input arrives)
      const extra = data.points.slice(-20).map((x) => ({ ...x, ts: Number(x.ts) + 60_000 }));
      await producer.sendPoints(p.topics.metrics, extra);
      await waitFor(() => d.stats().points >= extra.length, 60_000, 'worker D');
      await d.stop();
      expect(d.stats().replayedPoints).toBe(data.points.length);
      expect(d.stats().changelog?.refusedPartitions).toBe(PARTITIONS);
      expect(d.stats().changelog?.restoredPartitions).toBe(0);
      expect(dLog.text()).toMatch(
        /checkpointed state REFUSED: .*different detector configuration or version \(state fingerprint mismatch\)/,
      );
      expect(dLog.text()).toMatch(/rebuilding partition state by replay/);
      // ... and its scores are those of its own configuration, as if it had run from the start
      const o = await startDetectWorker({ kafka, pipeline: otherRef, checkpoint: false });
      await waitFor(() => o.stats().points >= data.points.length + extra.length, 60_000, 'the other reference');
      await o.stop();
      const gotD = await collect(kafka, p);
      const wantD = await collect(kafka, otherRef);
      for (const x of extra) {
        const k = `${seriesId(x.source, x.metric)}@${x.ts}`;
        expect(gotD.scores.get(k), k).toEqual(wantD.scores.get(k));
      }
    } finally {
      await producer.disconnect();
    }
  });
});
