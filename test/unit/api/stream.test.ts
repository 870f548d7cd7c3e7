import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/api/keys.js';
import { type ApiDeps, buildApi } from '../../../src/api/server.js';
import { createViews, type Views } from '../../../src/api/views.js';
import { API_CONFIG, anomaly, LIMITS, score, scores } from './fixtures.js';

interface Sse {
  events: Array<{ event: string; data: unknown }>;
  /** resolves with the first event matching, reading more as needed */
  next(pred: (e: { event: string; data: unknown }) => boolean): Promise<{ event: string; data: unknown }>;
  close(): void;
}

async function openStream(url: string, headers: Record<string, string> = {}): Promise<Sse> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  const events: Sse['events'] = [];
  let buf = '';
  let seen = 0;
  return {
    events,
    async next(pred) {
      for (;;) {
        while (seen < events.length) {
          const e = events[seen++] as { event: string; data: unknown };
          if (pred(e)) return e;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += value;
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    },
    close: () => ctrl.abort(),
  };
}

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function listening(extra: Partial<ApiDeps> = {}): Promise<{ base: string; views: Views }> {
  const views = createViews(LIMITS);
  const app = await buildApi({
    config: API_CONFIG,
    views,
    sink: { sendPoints: async () => {} },
    health: async () => ({ broker: true, consumersAssigned: true }),
    stream: { flushMs: 30, heartbeatMs: 60_000, maxClients: 3 },
    ...extra,
  });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  opened.push(app);
  return { base, views };
}

describe('GET /v1/stream', () => {
  it('pushes hello, then anomalies as they are kept, and coalesced scores of the requested series', async () => {
    const { base, views } = await listening();
    views.addScores(scores('host-1', 'cpu', [score(1)]));
    const sse = await openStream(`${base}/v1/stream?series=${encodeURIComponent('host-1|cpu')}`);
    opened.push(sse);
    const hello = await sse.next((e) => e.event === 'hello');
    expect(hello.data).toMatchObject({ series: 1, anomalies: 0, streaming: ['host-1|cpu'] });

    views.addScores(scores('host-2', 'cpu', [score(5)])); // not requested
    views.addScores(scores('host-1', 'cpu', [score(2)]));
    views.addScores(scores('host-1', 'cpu', [score(3), score(4)]));
    const s = await sse.next((e) => e.event === 'scores');
    expect(s.data).toMatchObject({ id: 'host-1|cpu', source: 'host-1', metric: 'cpu' });
    expect((s.data as { points: { ts: number }[] }).points.map((p) => p.ts)).toEqual([2, 3, 4]);

    const e = anomaly({ id: 'live-1' });
    views.addAnomaly(e);
    const a = await sse.next((x) => x.event === 'anomaly');
    expect(a.data).toEqual(e);
    expect(sse.events.filter((x) => x.event === 'scores' && (x.data as { id: string }).id === 'host-2|cpu')).toEqual(
      [],
    );
  });

  it('filters anomalies by source', async () => {
    const { base, views } = await listening();
    const sse = await openStream(`${base}/v1/stream?source=db-1`);
    opened.push(sse);
    await sse.next((e) => e.event === 'hello');
    views.addAnomaly(anomaly({ id: 'x', source: 'web-1' }));
    views.addAnomaly(anomaly({ id: 'y', source: 'db-1' }));
    const a = await sse.next((e) => e.event === 'anomaly');
    expect((a.data as { id: string }).id).toBe('y');
  });

  it('rejects a bad query with 400, more than maxClients streams with 503, and needs the read scope', async () => {
    const { base } = await listening();
    const bad = await fetch(`${base}/v1/stream?series=nopipe`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: { path: string }[] }).issues[0]?.path).toMatch(/^series/);
    for (let i = 0; i < 3; i++) {
      const s = await openStream(`${base}/v1/stream`);
      opened.push(s);
      await s.next((e) => e.event === 'hello');
    }
    const busy = await fetch(`${base}/v1/stream`);
    expect(busy.status).toBe(503);
    expect(await busy.json()).toMatchObject({ error: 'too_many_streams', retriable: true });

    const key = 'fl_stream_reader_key_0123456789';
    const secured = await listening({
      config: { ...API_CONFIG, keys: [{ name: 'r', scopes: ['read'], hash: hashApiKey(key) }] },
    });
    expect((await fetch(`${secured.base}/v1/stream`)).status).toBe(401);
    const ok = await openStream(`${secured.base}/v1/stream`, { authorization: `Bearer ${key}` });
    opened.push(ok);
    await ok.next((e) => e.event === 'hello');
  });

  it('a closing server ends its open streams (close does not hang)', async () => {
    const views = createViews(LIMITS);
    const app = await buildApi({
      config: API_CONFIG,
      views,
      sink: { sendPoints: async () => {} },
      health: async () => ({ broker: true, consumersAssigned: true }),
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const sse = await openStream(`${base}/v1/stream`);
    await sse.next((e) => e.event === 'hello');
    await app.close();
    await expect(sse.next(() => false)).rejects.toThrow('stream ended');
  });
});

describe('dashboard assets', () => {
  it('/ redirects to /dashboard/, which serves the page with a strict CSP, its script and uPlot', async () => {
    const views = createViews(LIMITS);
    const app = await buildApi({
      config: API_CONFIG,
      views,
      sink: { sendPoints: async () => {} },
      health: async () => ({ broker: true, consumersAssigned: true }),
    });
    opened.push(app);
    const root = await app.inject({ url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/dashboard/');
    const page = await app.inject({ url: '/dashboard/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.body).toContain('<script type="module" src="app.js">');
    const js = await app.inject({ url: '/dashboard/app.js' });
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain("from './vendor/uPlot.esm.js'");
    const uplot = await app.inject({ url: '/dashboard/vendor/uPlot.esm.js' });
    expect(uplot.statusCode).toBe(200);
    expect(uplot.body).toMatch(/export \{ uPlot as default \}|export default/);
    for (const url of ['/dashboard/../package.json', '/dashboard/%2e%2e/package.json', '/dashboard/nope.js']) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/dashboard') || p === '/')).toBe(false);
  });
});
