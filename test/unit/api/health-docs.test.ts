import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import { API_CONFIG, LIMITS, type TestApi, testApi } from './fixtures.js';

let t: TestApi;
beforeAll(async () => {
  t = await testApi();
});
afterAll(async () => {
  await t.app.close();
});

describe('health', () => {
  it('/healthz answers 200 while the process is alive', async () => {
    const res = await t.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ok');
  });

  it('/readyz is 200 when the broker answers and consumers are assigned, 503 with details otherwise', async () => {
    t.ready.broker = true;
    t.ready.consumersAssigned = true;
    let res = await t.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ready: true, broker: true, consumersAssigned: true });

    t.ready.consumersAssigned = false;
    res = await t.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ready: false, broker: true, consumersAssigned: false, retriable: true });
    expect(res.json().message).toMatch(/consumers not assigned/);

    t.ready.broker = false;
    res = await t.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().message).toMatch(/broker unreachable/);
  });

  it('/readyz is 503 (not 500) when the health check itself throws', async () => {
    const app = await buildApi({
      config: API_CONFIG,
      views: createViews(LIMITS),
      sink: { sendPoints: async () => {} },
      health: async () => {
        throw new Error('admin exploded');
      },
    });
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ ready: false, broker: false, details: { error: 'admin exploded' } });
    await app.close();
  });

  it('a sink that does not answer in time → 503 retriable', async () => {
    const app = await buildApi({
      config: API_CONFIG,
      views: createViews(LIMITS),
      sink: { sendPoints: () => new Promise<void>(() => {}) },
      health: async () => ({ broker: true, consumersAssigned: true }),
      sinkTimeoutMs: 10,
    });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      payload: { ts: 1, source: 's', metric: 'm', value: 1 },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: 'unavailable', retriable: true });
    await app.close();
  });
});

describe('logger', () => {
  it('takes an existing (pino-like) logger instance and logs through it', async () => {
    const lines: string[] = [];
    const make = (): Record<string, unknown> => {
      const l: Record<string, unknown> = { level: 'info' };
      for (const m of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
        l[m] = (...args: unknown[]) => lines.push(`${m} ${args.map((a) => (typeof a === 'string' ? a : '')).join('')}`);
      }
      l['child'] = () => make();
      return l;
    };
    const app = await buildApi({
      config: API_CONFIG,
      views: createViews(LIMITS),
      sink: { sendPoints: async () => {} },
      health: async () => ({ broker: true, consumersAssigned: true }),
      logger: make(),
    });
    await app.inject({ url: '/healthz' });
    expect(lines.some((l) => l.startsWith('info'))).toBe(true);
    await app.close();
  });
});

describe('OpenAPI', () => {
  it('/openapi.json is a valid OpenAPI 3 document covering every route', async () => {
    const res = await t.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(doc));
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/v1/write',
        '/healthz',
        '/metrics',
        '/openapi.json',
        '/readyz',
        '/v1/anomalies',
        '/v1/metrics',
        '/v1/predictions',
        '/v1/series',
        '/v1/series/{source}/{metric}',
        '/v1/stream',
      ].sort(),
    );
    const post = doc.paths['/v1/metrics'].post;
    expect(post.requestBody.content['application/json'].schema.anyOf).toHaveLength(3);
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['202', '400', '413', '503']));
    const params = doc.paths['/v1/anomalies'].get.parameters.map((p: { name: string }) => p.name);
    expect(params.sort()).toEqual(['limit', 'metric', 'since', 'source']);
    const series = doc.paths['/v1/series/{source}/{metric}'].get;
    expect(series.parameters.filter((p: { in: string }) => p.in === 'path')).toHaveLength(2);
    expect(series.responses['200'].content['application/json'].schema.properties.points.type).toBe('array');
  });

  it('/docs serves the swagger UI', async () => {
    const res = await t.app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toMatch(/swagger/i);
  });
});
