import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/api/keys.js';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import type { FaultSample } from '../../../src/contracts/samples.js';
import { modelToFiles } from '../../../src/ml/artifacts.js';
import { initBackend } from '../../../src/ml/backend.js';
import { createTrainingJobs } from '../../../src/ml/jobs.js';
import { loadModel, saveModel } from '../../../src/ml/registry.js';
import type { TrainProgress, TrainResult } from '../../../src/ml/train.js';
import { smallData, tempDir, untrainedModel } from '../ml/helpers.js';
import { API_CONFIG, LIMITS } from './fixtures.js';

const KEYS = {
  reader: 'fl_reader_models_0123456789abcdef',
  ops: 'fl_ops_models_0123456789abcdef0',
  admin: 'fl_admin_models_0123456789abcdef',
};
const keys = [
  { name: 'grafana', scopes: ['read' as const], hash: hashApiKey(KEYS.reader) },
  { name: 'oncall', scopes: ['read' as const, 'operate' as const], hash: hashApiKey(KEYS.ops) },
  { name: 'root', scopes: ['admin' as const], hash: hashApiKey(KEYS.admin) },
];
const as = (k: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[k]}` });

const root = tempDir('faultline-api-models-');
const { ds } = smallData();

/** A fake training job: resolves when the test says so (no worker thread). */
const pending: Array<{ resolve: (r: TrainResult) => void; progress: (p: TrainProgress) => void; name: string }> = [];
const jobs = createTrainingJobs({
  modelsDir: root,
  start: (req, onProgress) => {
    let resolve: (r: TrainResult) => void = () => {};
    const result = new Promise<TrainResult>((r) => {
      resolve = r;
    });
    pending.push({ resolve, progress: (p) => onProgress?.(p), name: String((req as { name: string }).name) });
    return { result, stop: () => {}, cancel: async () => {} };
  },
});

const labels: FaultSample[][] = [];
const views = createViews(LIMITS);
let app: Awaited<ReturnType<typeof buildApi>>;

async function save(name: string) {
  const { net, draft } = untrainedModel('predictor', ds);
  const saved = await saveModel(root, name, await modelToFiles(net), draft);
  net.dispose();
  return saved;
}

beforeAll(async () => {
  await initBackend();
  await save('web');
  await save('web');
  app = await buildApi({
    config: { ...API_CONFIG, bodyLimitBytes: 65536, keys },
    views,
    sink: { sendPoints: async () => {} },
    health: async () => ({ broker: true, consumersAssigned: true }),
    models: { modelsDir: root, jobs, backend: () => 'wasm' },
    labels: {
      async sendLabels(l) {
        labels.push(l);
      },
    },
  });
});
afterAll(async () => {
  await app?.close();
});

describe('GET /v1/models', () => {
  it('lists models with versions, the served one, its evaluation and the backend (read scope)', async () => {
    expect((await app.inject({ url: '/v1/models' })).statusCode).toBe(401);
    const res = await app.inject({ url: '/v1/models', headers: as('reader') });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.backend).toBe('wasm');
    expect(body.models).toEqual([
      expect.objectContaining({
        name: 'web',
        versions: [1, 2],
        latest: 2,
        promoted: null,
        served: 2,
        kind: 'predictor',
      }),
    ]);
    expect(body.models[0].evaluation).toHaveProperty('prAuc');
  });

  it('GET /v1/models/:name gives every version; unknown → 404; a bad name → 400 naming it', async () => {
    const res = await app.inject({ url: '/v1/models/web', headers: as('reader') });
    expect(res.statusCode).toBe(200);
    expect(res.json().details.map((d: { version: number }) => d.version)).toEqual([1, 2]);
    expect(res.json().details[0].metrics).toEqual(ds.schema.metrics);
    expect((await app.inject({ url: '/v1/models/nope', headers: as('reader') })).statusCode).toBe(404);
    const bad = await app.inject({ url: '/v1/models/..hidden', headers: as('reader') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('name');
  });
});

describe('POST /v1/models/:name/train', () => {
  const body = { kind: 'predictor', samples: { synthetic: { seed: 1 } }, epochs: 3, horizon: '15m' };

  it('needs admin: read → 403, operate → 403', async () => {
    for (const who of ['reader', 'ops'] as const) {
      const res = await app.inject({ method: 'POST', url: '/v1/models/web/train', headers: as(who), payload: body });
      expect(res.statusCode).toBe(403);
    }
  });

  it('400 names the bad field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/web/train',
      headers: as('admin'),
      payload: { ...body, epochs: -1 },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toContain('epochs');
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/models/web/train',
      headers: as('admin'),
      payload: { ...body, colour: 'red' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().issues[0]).toMatchObject({ path: 'colour', message: 'unrecognized field' });
    const noKafka = await app.inject({
      method: 'POST',
      url: '/v1/models/web/train',
      headers: as('admin'),
      payload: { kind: 'predictor', samples: { kafka: {} } },
    });
    expect(noKafka.statusCode).toBe(202); // injected jobs manager: Kafka is its business
    pending.shift()?.resolve(fakeResult(3));
    await settle();
  });

  it('202 with a job id; progress by GET; a second job of the model → 409; the result when done', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/models/web/train', headers: as('admin'), payload: body });
    expect(res.statusCode).toBe(202);
    const { job, location } = res.json();
    expect(res.headers.location).toBe(location);
    expect(job.state).toBe('running');

    const again = await app.inject({
      method: 'POST',
      url: '/v1/models/web/train',
      headers: as('admin'),
      payload: body,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'conflict', retriable: true });
    // another model may train at the same time
    const other = await app.inject({ method: 'POST', url: '/v1/models/db/train', headers: as('admin'), payload: body });
    expect(other.statusCode).toBe(202);

    const fake = pending.find((p) => p.name === 'web');
    fake?.progress({ type: 'epoch', epoch: 2, epochs: 3, loss: 0.5, valLoss: 0.6, etaMs: 1000 } as TrainProgress);
    const during = (await app.inject({ url: location, headers: as('reader') })).json();
    expect(during).toMatchObject({ state: 'running', epoch: 2, epochs: 3, loss: 0.5, valLoss: 0.6, etaMs: 1000 });

    fake?.resolve(fakeResult(7));
    await settle();
    const done = (await app.inject({ url: location, headers: as('reader') })).json();
    expect(done).toMatchObject({ state: 'succeeded', version: 7, promoted: false });
    expect(done.evaluation.f1).toBe(0.75);
    for (const p of pending.splice(0)) p.resolve(fakeResult(1));
    await settle();
    // free again
    const third = await app.inject({
      method: 'POST',
      url: '/v1/models/web/train',
      headers: as('admin'),
      payload: body,
    });
    expect(third.statusCode).toBe(202);
    for (const p of pending.splice(0)) p.resolve(fakeResult(1));
    await settle();
  });

  it('unknown job → 404; a malformed job id → 400', async () => {
    const missing = await app.inject({
      url: '/v1/models/web/train/00000000-0000-4000-8000-000000000000',
      headers: as('reader'),
    });
    expect(missing.statusCode).toBe(404);
    const bad = await app.inject({ url: '/v1/models/web/train/abc', headers: as('reader') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('job');
  });
});

describe('POST /v1/models/:name/promote', () => {
  it('pins the version (admin); the registry then serves it under "latest"', async () => {
    const forbidden = await app.inject({
      method: 'POST',
      url: '/v1/models/web/promote',
      headers: as('ops'),
      payload: { version: 1 },
    });
    expect(forbidden.statusCode).toBe(403);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/web/promote',
      headers: as('admin'),
      payload: { version: 1, reason: 'rollback' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'web', version: 1, previous: 2, by: 'root', reason: 'rollback' });
    const loaded = await loadModel(root, 'web');
    expect(loaded.version).toBe(1);
    loaded.model.dispose();
    const list = (await app.inject({ url: '/v1/models', headers: as('reader') })).json();
    expect(list.models[0]).toMatchObject({ promoted: 1, served: 1, latest: 2 });
    const detail = (await app.inject({ url: '/v1/models/web', headers: as('reader') })).json();
    expect(detail.decisions[0]).toMatchObject({ decision: 'promoted', version: 1, previous: 2, by: 'root' });
  });

  it('refuses a version whose checksums fail (422) and keeps the served one; unknown version → 404', async () => {
    const weights = join(root, 'web', '2', 'weights.bin');
    const bytes = readFileSync(weights);
    writeFileSync(
      weights,
      Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from([bytes[bytes.length - 1]! ^ 1])]),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/web/promote',
      headers: as('admin'),
      payload: { version: 2 },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/weights\.bin.*sha256 mismatch/);
    const list = (await app.inject({ url: '/v1/models', headers: as('reader') })).json();
    expect(list.models[0]).toMatchObject({ served: 1 });
    writeFileSync(weights, bytes);
    const missing = await app.inject({
      method: 'POST',
      url: '/v1/models/web/promote',
      headers: as('admin'),
      payload: { version: 9 },
    });
    expect(missing.statusCode).toBe(404);
    const bad = await app.inject({
      method: 'POST',
      url: '/v1/models/web/promote',
      headers: as('admin'),
      payload: { version: 'two' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('version');
  });
});

describe('GET /v1/predictions', () => {
  it('gives the latest prediction per source, model and horizon; filters by source and horizon', async () => {
    const pred = (source: string, ts: number, horizonMs: number, p: number) => ({
      v: 1 as const,
      id: `${source}|web|${ts}`,
      ts,
      source,
      model: { name: 'web', version: 1, kind: 'predictor' as const },
      horizonMs,
      score: null,
      faults: [{ type: 'node_failure' as const, p }],
      contributors: [],
      reason: 'test',
    });
    views.addPrediction(pred('a', 1000, 1_800_000, 0.1));
    views.addPrediction(pred('a', 2000, 1_800_000, 0.9));
    views.addPrediction(pred('a', 1500, 1_800_000, 0.5)); // older redelivery: ignored
    views.addPrediction(pred('b', 1500, 900_000, 0.2));
    const all = (await app.inject({ url: '/v1/predictions', headers: as('reader') })).json();
    expect(all.predictions.map((p: { source: string; ts: number }) => [p.source, p.ts])).toEqual([
      ['a', 2000],
      ['b', 1500],
    ]);
    const a = (await app.inject({ url: '/v1/predictions?source=a&horizon=30m', headers: as('reader') })).json();
    expect(a.count).toBe(1);
    expect(a.predictions[0].faults[0].p).toBe(0.9);
    const ms = (await app.inject({ url: '/v1/predictions?horizon=900000', headers: as('reader') })).json();
    expect(ms.predictions.map((p: { source: string }) => p.source)).toEqual(['b']);
    const bad = await app.inject({ url: '/v1/predictions?horizon=soon', headers: as('reader') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0].path).toBe('horizon');
    expect((await app.inject({ url: '/v1/predictions' })).statusCode).toBe(401);
  });
});

describe('POST /v1/labels', () => {
  const label = { source: 'db-1', start: '2024-01-03T10:15:00Z', end: '2024-01-03T10:40:00Z', type: 'node_failure' };

  it('needs operate; writes validated labels to the sink', async () => {
    expect(
      (await app.inject({ method: 'POST', url: '/v1/labels', headers: as('reader'), payload: label })).statusCode,
    ).toBe(403);
    const res = await app.inject({ method: 'POST', url: '/v1/labels', headers: as('ops'), payload: [label, label] });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2 });
    expect(labels.at(-1)?.[0]).toEqual({
      v: 1,
      source: 'db-1',
      start: Date.parse(label.start),
      end: Date.parse(label.end),
      type: 'node_failure',
      severity: 'critical',
    });
  });

  it('400 names the bad field and index', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      headers: as('ops'),
      payload: { labels: [label, { ...label, type: 'meteor' }] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('labels[1].type');
    const backwards = await app.inject({
      method: 'POST',
      url: '/v1/labels',
      headers: as('ops'),
      payload: { ...label, end: '2024-01-01T00:00:00Z' },
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().issues[0].path).toBe('end');
  });
});

describe('OpenAPI', () => {
  it('documents the model routes in a valid document', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    await SwaggerParser.validate(structuredClone(doc));
    for (const p of [
      '/v1/models',
      '/v1/models/{name}',
      '/v1/models/{name}/train',
      '/v1/models/{name}/train/{job}',
      '/v1/models/{name}/promote',
      '/v1/predictions',
      '/v1/labels',
    ])
      expect(doc.paths).toHaveProperty([p]);
  });
});

async function settle() {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function fakeResult(version: number): TrainResult {
  return {
    name: 'web',
    kind: 'predictor',
    version,
    dir: null,
    backend: 'test',
    features: ds.schema,
    training: {} as TrainResult['training'],
    evaluation: {
      threshold: 0.5,
      windows: 10,
      positives: 2,
      precision: 0.75,
      recall: 0.75,
      f1: 0.75,
      prAuc: 0.8,
      events: {
        faults: 1,
        detected: 1,
        alarms: 1,
        falseAlarms: 0,
        precision: 1,
        recall: 1,
        f1: 1,
        meanLeadTimeMs: 60_000,
        falseAlarmsPerDay: 0,
      },
      days: 1,
    },
    classes: ['node_failure'],
  };
}
