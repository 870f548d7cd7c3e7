import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../../src/contracts/prediction.js';
import { modelToFiles } from '../../../src/ml/artifacts.js';
import { initBackend } from '../../../src/ml/backend.js';
import { saveModel } from '../../../src/ml/registry.js';
import { startPredictWorker } from '../../../src/predict/predict-worker.js';
import { readDeadLetter } from '../../../src/transport/dlq.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { testBrokers } from '../../helpers/kafka.js';
import { smallData, tempDir, untrainedModel } from '../../unit/ml/helpers.js';
import { json, readAll, testPipeline, uid, waitFor } from '../worker/helpers.js';

const root = tempDir('faultline-predict-it-');
const { data, ds } = smallData();
const W = ds.schema.window;

beforeAll(async () => {
  await initBackend();
});

async function save(seed: number) {
  const { net, draft } = untrainedModel('predictor', ds, seed);
  const saved = await saveModel(root, 'it-model', await modelToFiles(net), draft);
  net.dispose();
  return saved;
}

describe('predict worker on the real broker', () => {
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'it-predict' });
  const producer = createProducer(kafka);
  afterAll(async () => {
    await producer.disconnect();
  });

  it('points in → predictions out; a new version written mid-stream is picked up without a lost point; a bad message goes to the DLQ', async () => {
    await save(3);
    const base = testPipeline('predict', 3);
    const pipeline = {
      ...base,
      topics: { ...base.topics, predictions: `${base.topics.metrics}.predictions` },
      models: { ...base.models, serve: ['it-model'], groupId: uid('predict'), rowGrace: 600_000 },
    };
    const worker = await startPredictWorker({ kafka, pipeline, modelsDir: root, pollIntervalMs: 0 });
    await producer.connect();
    try {
      await worker.ready;
      expect(worker.stats().models[0]).toMatchObject({ name: 'it-model', version: 1, kind: 'predictor' });
      const sources = [...new Set(data.points.map((p) => p.source))];
      const times = [...new Set(data.points.map((p) => p.ts))].sort((a, b) => a - b);
      const half = times[Math.floor(times.length / 2)] as number;
      // every row is complete once all its points are in: rows up to `half` → predictions from row W-1
      const expectFirst = sources.length * (times.filter((t) => t < half).length - (W - 1));
      await producer.sendPoints(
        pipeline.topics.metrics,
        data.points.filter((p) => p.ts < half),
      );
      await producer.send(pipeline.topics.metrics, [{ key: 'x', value: '{"ts":1,"source":"x"' }]);
      await waitFor(
        () => worker.stats().predictions >= expectFirst,
        60_000,
        () => `${expectFirst} predictions, have ${JSON.stringify(worker.stats())}`,
      );

      // a new version appears mid-stream
      await save(9);
      await worker.poll();
      expect(worker.stats().models[0]).toMatchObject({ version: 2, swaps: 1, refusals: 0 });

      await producer.sendPoints(
        pipeline.topics.metrics,
        data.points.filter((p) => p.ts >= half),
      );
      // a row is predicted as soon as all its metrics are in, the last one too
      const expectAll = sources.length * (times.length - (W - 1));
      await waitFor(
        () => worker.stats().predictions >= expectAll,
        60_000,
        () => `${expectAll} predictions, have ${worker.stats().predictions}`,
      );
      await waitFor(() => worker.stats().lag === 0, 30_000, 'no lag');

      const msgs = await readAll(kafka, pipeline.topics.predictions);
      const preds = new Map(msgs.map((m) => json<Prediction>(m)).map((p) => [p.id, p]));
      for (const source of sources) {
        const got = [...preds.values()].filter((p) => p.source === source).sort((a, b) => a.ts - b.ts);
        // no lost point: one prediction per row from the first full window on, across the swap
        expect(got.map((p) => p.ts)).toEqual(times.slice(W - 1));
        for (const p of got) expect(p.model.version).toBe(p.ts < half ? 1 : 2);
        expect(msgs.find((m) => json<Prediction>(m).source === source)?.key?.toString()).toBe(source);
      }
      const dlq = await readAll(kafka, pipeline.topics.dlq);
      expect(dlq).toHaveLength(1);
      expect(readDeadLetter(dlq[0] as (typeof dlq)[number])).toMatchObject({ stage: 'predict' });
      expect(readDeadLetter(dlq[0] as (typeof dlq)[number])?.error).toMatch(/invalid JSON/);
      const st = worker.stats();
      expect(st.dlq).toBe(1);
      expect(st.invalidPredictions).toBe(0);
      expect(st.inferenceErrors).toBe(0);
      expect(st.backend).toMatch(/wasm|cpu|tensorflow/);
    } finally {
      await worker.stop();
    }
  });
});
