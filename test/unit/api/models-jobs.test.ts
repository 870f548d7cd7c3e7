import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import { tempDir } from '../ml/helpers.js';
import { API_CONFIG, LIMITS } from './fixtures.js';

const root = tempDir('faultline-api-jobs-');
let app: Awaited<ReturnType<typeof buildApi>>;

beforeAll(async () => {
  app = await buildApi({
    config: { ...API_CONFIG, bodyLimitBytes: 65536 },
    views: createViews(LIMITS),
    sink: { sendPoints: async () => {} },
    health: async () => ({ broker: true, consumersAssigned: true }),
    models: { modelsDir: root },
  });
});
afterAll(async () => {
  await app?.close();
});

describe('training through the API (a real worker thread)', () => {
  it('POST train → 202; GET follows the epochs to the evaluation; the model is listed and served', {
    timeout: 120_000,
  }, async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/tiny/train',
      payload: {
        kind: 'predictor',
        samples: { synthetic: { seed: 3, sources: 2, steps: 400, meanGap: 60 } },
        window: 10,
        epochs: 3,
        seed: 42,
      },
    });
    expect(res.statusCode).toBe(202);
    const { location } = res.json();
    // the server answers while the worker trains
    expect((await app.inject({ url: '/v1/models' })).statusCode).toBe(200);
    const done = await vi.waitFor(
      async () => {
        const s = (await app.inject({ url: location })).json();
        expect(s.state).not.toBe('running');
        return s;
      },
      { timeout: 100_000, interval: 250 },
    );
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ state: 'succeeded', version: 1, epoch: 3, epochs: 3 });
    expect(done.history).toHaveLength(3);
    expect(done.evaluation.windows).toBeGreaterThan(0);
    const list = (await app.inject({ url: '/v1/models' })).json();
    expect(list.models).toEqual([
      expect.objectContaining({ name: 'tiny', served: 1, kind: 'predictor', training: false }),
    ]);
    expect(list.models[0].evaluation).toEqual(done.evaluation);
  });

  it('a request the trainer rejects fails the job with the reason (a predictor without faults)', {
    timeout: 60_000,
  }, async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/models/nofaults/train',
      payload: { kind: 'predictor', samples: { file: '/nonexistent/metrics.jsonl' } },
    });
    expect(res.statusCode).toBe(202);
    const { location } = res.json();
    const s = await vi.waitFor(
      async () => {
        const j = (await app.inject({ url: location })).json();
        expect(j.state).toBe('failed');
        return j;
      },
      { timeout: 50_000, interval: 200 },
    );
    expect(s.error.message).toMatch(/nonexistent|faults/);
  });
});
