import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anomaly, score, scores, type TestApi, testApi } from './fixtures.js';

let t: TestApi;
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  t = await testApi();
  for (let i = 0; i < 30; i++) {
    t.views.addAnomaly(
      anomaly({ id: `a${i}`, ts: T0 + i * 1000, source: i % 2 ? 'host-1' : 'host-2', metric: i % 3 ? 'cpu' : 'mem' }),
    );
  }
  t.views.addScores(scores('host-1', 'cpu', [score(T0, { value: 1 }), score(T0 + 1000, { value: 2, score: 0.4 })]));
  t.views.addScores(scores('web/1', 'latency p99', [score(T0, { status: 'learning', expected: null })]));
});
afterAll(async () => {
  await t.app.close();
});

const get = (url: string) => t.app.inject({ method: 'GET', url });

describe('GET /v1/anomalies', () => {
  it('lists newest first with a default limit', async () => {
    const res = await get('/v1/anomalies');
    expect(res.statusCode).toBe(200);
    const { count, anomalies } = res.json();
    expect(count).toBe(30);
    const ts = anomalies.map((a: { ts: number }) => a.ts);
    expect(ts).toEqual([...ts].sort((a, b) => b - a));
    expect(anomalies[0].id).toBe('a29');
  });

  it('filters by source, metric and since (epoch ms or ISO), and limits', async () => {
    const bySource = (await get('/v1/anomalies?source=host-1')).json().anomalies;
    expect(bySource).toHaveLength(15);
    expect(bySource.every((a: { source: string }) => a.source === 'host-1')).toBe(true);

    const both = (await get('/v1/anomalies?source=host-1&metric=mem')).json().anomalies;
    expect(both.map((a: { id: string }) => a.id)).toEqual(['a27', 'a21', 'a15', 'a9', 'a3']);

    const since = T0 + 25_000;
    const bySince = (await get(`/v1/anomalies?since=${since}`)).json().anomalies;
    expect(bySince.map((a: { id: string }) => a.id)).toEqual(['a29', 'a28', 'a27', 'a26', 'a25']);
    const byIso = (await get(`/v1/anomalies?since=${new Date(since).toISOString()}`)).json().anomalies;
    expect(byIso).toEqual(bySince);

    const limited = (await get('/v1/anomalies?limit=3')).json();
    expect(limited.count).toBe(3);
    expect(limited.anomalies.map((a: { id: string }) => a.id)).toEqual(['a29', 'a28', 'a27']);
  });

  const bad: [string, string, RegExp][] = [
    ['limit=0', 'limit', /at least 1/],
    ['limit=1001', 'limit', /at most 1000/],
    ['limit=ten', 'limit', /positive integer/],
    ['since=last-tuesday', 'since', /epoch ms or an ISO 8601/],
    ['source=', 'source', /must not be empty/],
    ['sorce=host-1', 'sorce', /unrecognized parameter/],
    ['limit=1&limit=2', 'limit', /expected string, received array/],
  ];
  for (const [query, param, message] of bad) {
    it(`400 naming the parameter for ?${query}`, async () => {
      const res = await get(`/v1/anomalies?${query}`);
      expect(res.statusCode).toBe(400);
      const json = res.json();
      expect(json).toMatchObject({ error: 'invalid_query', retriable: false });
      expect(json.issues[0].path).toBe(param);
      expect(json.issues[0].message).toMatch(message);
      expect(json.message).toContain(`${param}: `);
    });
  }
});

describe('GET /v1/series/:source/:metric', () => {
  it('returns recent values, scores, band, status and last anomaly', async () => {
    const res = await get('/v1/series/host-1/cpu');
    expect(res.statusCode).toBe(200);
    const v = res.json();
    expect(v).toMatchObject({ id: 'host-1|cpu', source: 'host-1', metric: 'cpu', status: 'ready', lastTs: T0 + 1000 });
    expect(v.points.map((p: { value: number }) => p.value)).toEqual([1, 2]);
    expect(v.latest).toMatchObject({ score: 0.4, scores: { zscore: 0.1 }, expected: 1, lower: 0, upper: 2 });
    expect(v.lastAnomaly.id).toBe('a29');
  });

  it('decodes url-encoded names and reports learning status', async () => {
    const res = await get(`/v1/series/${encodeURIComponent('web/1')}/${encodeURIComponent('latency p99')}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ source: 'web/1', metric: 'latency p99', status: 'learning', lastAnomaly: null });
  });

  it('?limit keeps the most recent points', async () => {
    const v = (await get('/v1/series/host-1/cpu?limit=1')).json();
    expect(v.points.map((p: { ts: number }) => p.ts)).toEqual([T0 + 1000]);
  });

  it('404 for an unknown series, in the error shape', async () => {
    const res = await get('/v1/series/nobody/cpu');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', retriable: false });
    expect(res.json().message).toContain('nobody');
  });

  it('400 naming the parameter for a bad limit', async () => {
    const res = await get('/v1/series/host-1/cpu?limit=-1');
    expect(res.statusCode).toBe(400);
    expect(res.json().issues[0].path).toBe('limit');
  });
});

describe('GET /v1/series', () => {
  it('lists known series, highest last score first', async () => {
    const res = await get('/v1/series');
    expect(res.statusCode).toBe(200);
    const { series } = res.json();
    expect(series[0]).toMatchObject({ id: 'host-1|cpu', lastScore: 0.4, lastValue: 2, lastAnomalyAt: T0 + 29_000 });
    // series known only from anomalies are listed too
    expect(series.map((s: { id: string }) => s.id)).toEqual(
      expect.arrayContaining(['host-1|cpu', 'host-1|mem', 'host-2|cpu', 'host-2|mem', 'web/1|latency p99']),
    );
    expect((await get('/v1/series?source=web/1')).json().count).toBe(1);
    expect((await get('/v1/series?limit=2')).json().count).toBe(2);
  });
});

describe('unknown routes', () => {
  it('404 in the error shape', async () => {
    const res = await get('/v2/whatever');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found', retriable: false });
  });
});
