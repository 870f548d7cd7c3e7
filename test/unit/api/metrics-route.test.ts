import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_CONFIG, point, type TestApi, testApi } from './fixtures.js';

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});
afterAll(async () => {
  await t.app.close();
});
beforeEach(() => {
  t.sent.length = 0;
  t.failSink(null);
});

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/metrics',
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });

describe('POST /v1/metrics accepts', () => {
  it('one point and forwards it to the sink with ts as epoch ms and v set', async () => {
    const res = await post(point({ ts: '2024-01-02T03:04:05.000Z', labels: { dc: 'a' } }));
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 1 });
    expect(t.sent).toEqual([
      [
        {
          v: 1,
          ts: Date.parse('2024-01-02T03:04:05.000Z'),
          source: 'host-1',
          metric: 'cpu',
          value: 0.5,
          labels: { dc: 'a' },
        },
      ],
    ]);
  });

  it('a bare array batch', async () => {
    const res = await post([point(), point({ ts: 2, value: null }), point({ metric: 'mem' })]);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 3 });
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]?.map((p) => p.metric)).toEqual(['cpu', 'cpu', 'mem']);
    expect(t.sent[0]?.[1]?.value).toBeNull();
  });

  it('a { points } envelope', async () => {
    const res = await post({ points: [point(), point({ ts: 5 })] });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2 });
    expect(t.sent[0]).toHaveLength(2);
  });
});

describe('POST /v1/metrics rejects bad bodies with 400 naming the field', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['missing source', { ts: 1, metric: 'cpu', value: 1 }, 'source', /required/],
    ['string value', point({ value: 'high' }), 'value', /expected number, received string/],
    ['unparseable ts', point({ ts: 'yesterday-ish' }), 'ts', /ISO 8601/],
    ['negative ts', point({ ts: -1 }), 'ts', />=0/],
    ['boolean ts', point({ ts: true }), 'ts', /expected number or string, received boolean/],
    ['wrong schema version', point({ v: 2 }), 'v', /expected 1/],
    ['extra field', point({ host: 'x' }), 'host', /unrecognized field/],
    ['empty source', point({ source: '' }), 'source', /must not be empty/],
    ['non-string label', point({ labels: { dc: 1 } }), 'labels.dc', /expected string, received number/],
    ['bad point in a batch', [point(), point(), point(), point({ value: 'x' })], 'points[3].value', /expected number/],
    [
      'bad point in an envelope',
      { points: [point(), { ...point(), metric: 7 }] },
      'points[1].metric',
      /expected string/,
    ],
    ['extra field in an envelope', { points: [point()], more: 1 }, 'more', /unrecognized field/],
    ['empty batch', [], 'points', /at least one/],
  ];

  for (const [name, body, path, message] of cases) {
    it(name, async () => {
      const res = await post(body);
      expect(res.statusCode).toBe(400);
      const json = res.json();
      expect(json.error).toBe('invalid_body');
      expect(json.retriable).toBe(false);
      const issue = json.issues.find((i: { path: string }) => i.path === path);
      expect(issue, JSON.stringify(json.issues)).toBeDefined();
      expect(issue.message).toMatch(message);
      expect(json.message).toContain(`${path}: `);
      expect(t.sent).toHaveLength(0);
    });
  }

  it('the whole batch is rejected when one point is bad (nothing reaches Kafka)', async () => {
    const res = await post([point(), point({ source: 3 })]);
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('points[1].source: expected string, received number');
    expect(t.sent).toHaveLength(0);
  });

  it('caps the issues list on a batch full of garbage', async () => {
    const res = await post(Array.from({ length: 100 }, () => ({ nope: true })));
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.length).toBeLessThanOrEqual(20);
    expect(res.json().message).toMatch(/and \d+ more/);
  });

  it('invalid JSON → 400 invalid_json', async () => {
    const res = await post('{"ts": 1,');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_json', retriable: false });
  });

  it('no body → 400 saying what to send', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/metrics' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/expected a JSON body/);
  });

  it('an unsupported content type → 415 in the same error shape', async () => {
    const res = await post('ts=1', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error: 'unsupported_media_type', retriable: false });
  });

  it('any JSON value is answered with 202 or 400, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (body) => {
        const res = await post(JSON.stringify(body));
        expect([202, 400, 413]).toContain(res.statusCode);
        expect(res.json()).toHaveProperty(res.statusCode === 202 ? 'accepted' : 'error');
      }),
      { numRuns: 200 },
    );
  });
});

describe('POST /v1/metrics limits and failures', () => {
  it('a body over bodyLimitBytes → 413 with a JSON error', async () => {
    const many = Array.from({ length: 200 }, (_, i) => point({ ts: i }));
    expect(JSON.stringify(many).length).toBeGreaterThan(API_CONFIG.bodyLimitBytes);
    const res = await post(many);
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toEqual({
      error: 'payload_too_large',
      message: `request body exceeds the limit of ${API_CONFIG.bodyLimitBytes} bytes; split the batch`,
      retriable: false,
    });
    expect(t.sent).toHaveLength(0);
  });

  it('a failing sink → 503 retriable with retry-after', async () => {
    t.failSink(new Error('broker down'));
    const res = await post(point());
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ error: 'unavailable', retriable: true });
    expect(res.json().message).toMatch(/broker down/);
  });
});
