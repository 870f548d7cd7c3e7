import type { FastifyInstance } from 'fastify';
import * as snappy from 'snappyjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/api/keys.js';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import type { MetricPoint } from '../../../src/contracts/metric.js';
import { createMetrics } from '../../../src/metrics/registry.js';
import { RemoteWriteConfig } from '../../../src/prometheus/config.js';
import { staleMarker } from '../../../src/prometheus/mapping.js';
import { encodeRemoteWrite, REMOTE_WRITE_HEADERS, type WriteRequest } from '../../../src/prometheus/write-request.js';

const T = 1_700_000_000_000;
const LIMITS = { anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 10 };

interface Harness {
  app: FastifyInstance;
  sent: MetricPoint[][];
  fail: { err: Error | null };
  metrics: ReturnType<typeof createMetrics>;
}

async function harness(over: { keys?: Array<{ name: string; scopes: Array<'ingest' | 'read'>; hash: string }> } = {}) {
  const sent: MetricPoint[][] = [];
  const fail: { err: Error | null } = { err: null };
  const metrics = createMetrics({ processMetrics: false });
  const app = await buildApi({
    config: { host: '127.0.0.1', port: 0, bodyLimitBytes: 4096, ...LIMITS, keys: over.keys ?? [] },
    views: createViews(LIMITS),
    sink: {
      async sendPoints(points) {
        if (fail.err) throw fail.err;
        sent.push(points);
      },
    },
    health: async () => ({ broker: true, consumersAssigned: true }),
    metrics,
    dashboard: false,
    remoteWrite: RemoteWriteConfig.parse({ bodyLimitBytes: 64 * 1024, maxDecodedBytes: 256 * 1024 }),
  });
  return { app, sent, fail, metrics } satisfies Harness;
}

const nodeRequest = (t = T): WriteRequest => ({
  timeseries: [
    {
      labels: [
        { name: '__name__', value: 'node_memory_MemAvailable_bytes' },
        { name: 'instance', value: '127.0.0.1:9100' },
        { name: 'job', value: 'node' },
      ],
      samples: [{ value: 2e9, timestamp: t }],
    },
    {
      labels: [
        { name: '__name__', value: 'node_cpu_seconds_total' },
        { name: 'cpu', value: '0' },
        { name: 'instance', value: '127.0.0.1:9100' },
        { name: 'job', value: 'node' },
        { name: 'mode', value: 'idle' },
      ],
      samples: [
        { value: 100, timestamp: t },
        { value: 100.8, timestamp: t + 1000 },
      ],
    },
    { labels: [{ name: '__name__', value: 'gone' }], samples: [{ value: staleMarker(), timestamp: t }] },
  ],
});

let h: Harness;
const post = (payload: Uint8Array | string, headers: Record<string, string> = REMOTE_WRITE_HEADERS) =>
  h.app.inject({ method: 'POST', url: '/api/v1/write', headers, payload: Buffer.from(payload) });

beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h.app.close();
});
beforeEach(() => {
  h.sent.length = 0;
  h.fail.err = null;
});

describe('POST /api/v1/write', () => {
  it('answers 204 and forwards the mapped points to the sink; stale markers are dropped and counted', async () => {
    const res = await post(encodeRemoteWrite(nodeRequest()));
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['x-faultline-points']).toBe('2');
    expect(res.headers['x-faultline-dropped']).toBe('2'); // the stale marker and the counter's first sample
    expect(h.sent).toEqual([
      [
        {
          v: 1,
          ts: T,
          source: '127.0.0.1:9100',
          metric: 'node_memory_MemAvailable_bytes',
          value: 2e9,
          labels: { instance: '127.0.0.1:9100', job: 'node' },
        },
        {
          v: 1,
          ts: T + 1000,
          source: '127.0.0.1:9100',
          metric: 'rate(node_cpu_seconds_total{cpu="0",mode="idle"})',
          value: expect.closeTo(0.8, 9),
          labels: { instance: '127.0.0.1:9100', job: 'node' },
        },
      ],
    ]);
    const text = await h.metrics.render();
    expect(text).toMatch(/faultline_remote_write_samples_total\{outcome="stale"\} 1/);
    expect(text).toMatch(/faultline_remote_write_requests_total\{code="204"\} 1/);
  });

  it('an empty WriteRequest (e.g. metadata only) is 204 without a sink call', async () => {
    const res = await post(encodeRemoteWrite({ timeseries: [] }));
    expect(res.statusCode).toBe(204);
    expect(h.sent).toEqual([]);
  });

  it('accepts the content type with proto=prometheus.WriteRequest and without the version header', async () => {
    const res = await post(encodeRemoteWrite(nodeRequest(T + 10_000)), {
      'content-type': 'application/x-protobuf;proto=prometheus.WriteRequest',
      'content-encoding': 'snappy',
    });
    expect(res.statusCode).toBe(204);
  });

  it('503 (retriable) when the sink fails, so Prometheus retries; the retry gets the same points', async () => {
    h.fail.err = new Error('broker down');
    const body = encodeRemoteWrite(nodeRequest(T + 20_000));
    const res = await post(body);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'unavailable', retriable: true });
    expect(res.json().message).toMatch(/broker down/);
    h.fail.err = null;
    const again = await post(body);
    expect(again.statusCode).toBe(204);
    expect(h.sent[0]?.map((p) => p.metric)).toEqual([
      'node_memory_MemAvailable_bytes',
      'rate(node_cpu_seconds_total{cpu="0",mode="idle"})',
      'rate(node_cpu_seconds_total{cpu="0",mode="idle"})',
    ]);
  });
});

describe('bad requests name what was wrong and are not retriable', () => {
  it('400: not snappy', async () => {
    const res = await post('definitely not snappy');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_snappy', retriable: false });
    expect(res.json().message).toMatch(/snappy/);
  });

  it('400: snappy but not a WriteRequest', async () => {
    const res = await post(snappy.compress(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01])));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_protobuf' });
  });

  it('400: a series without __name__, with its index', async () => {
    const res = await post(
      encodeRemoteWrite({
        timeseries: [{ labels: [{ name: 'job', value: 'x' }], samples: [{ value: 1, timestamp: T }] }],
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: 'invalid_series',
      message: 'timeseries[0].labels: the series has no __name__ label',
      issues: [{ path: 'timeseries[0].labels', code: 'missing_name' }],
    });
    expect(h.sent).toEqual([]);
  });

  it('400: an empty body', async () => {
    const res = await post('');
    expect(res.statusCode).toBe(400);
  });

  it('415: JSON, a missing Content-Encoding, another encoding, remote write 2.0', async () => {
    const body = encodeRemoteWrite(nodeRequest());
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'content-type': 'application/json', 'content-encoding': 'snappy' }, /Content-Type/],
      [{ 'content-type': 'application/x-protobuf' }, /Content-Encoding must be snappy.*none/],
      [{ 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, /Content-Encoding/],
      [
        { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request', 'content-encoding': 'snappy' },
        /1\.0/,
      ],
      [{ ...REMOTE_WRITE_HEADERS, 'x-prometheus-remote-write-version': '2.0.0' }, /2\.0\.0/],
    ];
    for (const [headers, msg] of cases) {
      const res = await post(body, headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(415);
      expect(res.json().message).toMatch(msg);
    }
  });

  it('413: a body above remoteWrite.bodyLimitBytes names that limit', async () => {
    const res = await post(new Uint8Array(70 * 1024));
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/65536 bytes/);
  });

  it('413: a body that decompresses above maxDecodedBytes', async () => {
    const res = await post(snappy.compress(new Uint8Array(300 * 1024)));
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/decompresses/);
  });
});

describe('security and docs', () => {
  it('needs the ingest scope when keys are configured (Prometheus: authorization.credentials)', async () => {
    const s = await harness({
      keys: [
        { name: 'prom', scopes: ['ingest'], hash: hashApiKey('fl_prom_key_0123456789abcdef') },
        { name: 'grafana', scopes: ['read'], hash: hashApiKey('fl_read_key_0123456789abcdef') },
      ],
    });
    try {
      const body = Buffer.from(encodeRemoteWrite(nodeRequest()));
      const send = (auth?: string) =>
        s.app.inject({
          method: 'POST',
          url: '/api/v1/write',
          headers: { ...REMOTE_WRITE_HEADERS, ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
          payload: body,
        });
      expect((await send()).statusCode).toBe(401);
      expect((await send('fl_read_key_0123456789abcdef')).statusCode).toBe(403);
      expect((await send('fl_prom_key_0123456789abcdef')).statusCode).toBe(204);
    } finally {
      await s.app.close();
    }
  });

  it('is in the OpenAPI document, with its media type', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const op = doc.paths['/api/v1/write'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['application/x-protobuf']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['204', '400', '413', '415', '503']));
  });

  it('remoteWrite.enabled: false removes the route', async () => {
    const app = await buildApi({
      config: { host: '127.0.0.1', port: 0, bodyLimitBytes: 4096, ...LIMITS },
      views: createViews(LIMITS),
      sink: { sendPoints: async () => {} },
      health: async () => ({ broker: true, consumersAssigned: true }),
      metrics: createMetrics({ processMetrics: false }),
      dashboard: false,
      remoteWrite: RemoteWriteConfig.parse({ enabled: false }),
    });
    try {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/write',
        headers: REMOTE_WRITE_HEADERS,
        payload: 'x',
      });
      expect(res.statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
