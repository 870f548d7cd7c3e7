import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../../src/contracts/metric.js';
import { ScrapeConfig } from '../../../src/scrape/config.js';
import { mergeLabels, type Scraper, startScraper } from '../../../src/scrape/scraper.js';
import { createLog } from '../../../src/transport/log.js';

const servers: Server[] = [];
let scraper: Scraper | undefined;
afterEach(async () => {
  await scraper?.stop();
  scraper = undefined;
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((r) => s.close(r));
    }),
  );
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const srv = createServer(handler);
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/metrics`;
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('scrape config', () => {
  it('targets as URLs or objects, durations, defaults', () => {
    const c = ScrapeConfig.parse({
      targets: [
        'http://127.0.0.1:9100/metrics',
        { url: 'http://h:1/m', job: 'x', labels: { dc: 'a' }, interval: '5s' },
      ],
      interval: '30s',
    });
    expect(c.targets[0]).toEqual({ url: 'http://127.0.0.1:9100/metrics', labels: {} });
    expect(c.targets[1]).toMatchObject({ job: 'x', interval: 5000 });
    expect(c).toMatchObject({ interval: 30_000, timeout: 10_000, job: 'scrape', rate: true });
  });

  it('names the bad field', () => {
    const r = ScrapeConfig.safeParse({ targets: [{ url: 'http://h:1/m', interval: '1s', timeout: '2s' }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['targets', 0, 'timeout']);
    const top = ScrapeConfig.safeParse({ targets: ['http://h:1/m'], interval: '1s', timeout: '2s' });
    expect(top.error?.issues[0]?.path).toEqual(['timeout']);
    expect(ScrapeConfig.parse({ targets: ['http://h:1/m'], interval: '2s' }).timeout).toBe(2000);
    expect(ScrapeConfig.safeParse({ targets: ['ftp://x'] }).success).toBe(false);
    expect(ScrapeConfig.safeParse({ targets: [] }).success).toBe(false);
  });
});

describe('mergeLabels', () => {
  it("target labels win; the exposition's clashing labels become exported_*", () => {
    expect(
      mergeLabels(
        [
          { name: '__name__', value: 'm' },
          { name: 'job', value: 'inner' },
        ],
        [{ name: 'job', value: 'node' }],
      ),
    ).toEqual([
      { name: '__name__', value: 'm' },
      { name: 'exported_job', value: 'inner' },
      { name: 'job', value: 'node' },
    ]);
  });
});

describe('startScraper', () => {
  it('scrapes a target: gauges, counters as rates, up; failing targets are counted and logged, never fatal', async () => {
    let n = 0;
    const good = await serve((_req, res) => {
      n++;
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(
        [
          '# TYPE temp gauge',
          `temp{room="a"} ${20 + n}`,
          '# TYPE hits_total counter',
          `hits_total ${n * 10}`,
          'this is not a sample',
          'gone NaN',
        ].join('\n'),
      );
    });
    const broken = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('oops');
    });
    const slow = await serve(() => {
      /* never answers */
    });
    const sent: MetricPoint[][] = [];
    const lines: string[] = [];
    scraper = startScraper({
      config: {
        targets: [good, { url: broken, job: 'b' }, { url: slow, timeout: 150 }, 'http://127.0.0.1:1/metrics'],
        interval: '200ms',
        timeout: '200ms',
        job: 'test',
        labels: { env: 'unit' },
      },
      sink: { sendPoints: async (p) => void sent.push(p) },
      log: createLog({ level: 'warn', write: (l) => lines.push(l) }),
    });
    await until(() => {
      const t = scraper?.status().targets ?? [];
      return (t[0]?.scrapes ?? 0) >= 3 && t.slice(1).every((x) => x.failures >= 2);
    }, 'three scrapes of the good target and two failures of each other');

    const [ok, err500, timeout, refused] = scraper.status().targets;
    expect(ok).toMatchObject({ health: 'up', job: 'test', instance: `127.0.0.1:${new URL(good).port}`, failures: 0 });
    expect(ok?.badLines).toBeGreaterThanOrEqual(3);
    expect(err500).toMatchObject({ health: 'down', lastError: expect.stringMatching(/HTTP 500/) });
    expect(timeout).toMatchObject({ health: 'down', lastError: expect.stringMatching(/timed out after 150 ms/) });
    expect(refused).toMatchObject({ health: 'down', lastError: expect.stringMatching(/ECONNREFUSED|fetch failed/) });

    const points = sent.flat();
    const goodSource = ok?.instance as string;
    const temp = points.filter((p) => p.source === goodSource && p.metric === 'temp{env="unit",room="a"}');
    expect(temp.length).toBeGreaterThanOrEqual(3);
    expect(temp[0]?.labels).toEqual({ instance: goodSource, job: 'test' });
    const rates = points.filter((p) => p.source === goodSource && p.metric === 'rate(hits_total{env="unit"})');
    expect(rates.length).toBeGreaterThanOrEqual(2);
    for (const r of rates) expect(r.value).toBeGreaterThan(0);
    expect(points.some((p) => p.metric.startsWith('gone'))).toBe(false);
    const ups = (src: string) =>
      points.filter((p) => p.source === src && p.metric === 'up{env="unit"}').map((p) => p.value);
    expect(ups(goodSource).every((v) => v === 1)).toBe(true);
    expect(ups(err500?.instance as string)).toContain(0);
    // logged once per distinct error, not at every scrape
    expect(lines.filter((l) => l.includes('scrape failed') && l.includes(broken)).length).toBe(1);
  });

  it('a failing sink fails the scrape (counted), and the scraper goes on', async () => {
    const url = await serve((_req, res) => res.end('x_total 1\ng 2\n'));
    let calls = 0;
    scraper = startScraper({
      config: { targets: [url], interval: '100ms', timeout: '100ms' },
      sink: {
        sendPoints: async () => {
          calls++;
          throw new Error('kafka down');
        },
      },
    });
    await until(() => (scraper?.status().targets[0]?.failures ?? 0) >= 2, 'two failed scrapes');
    expect(scraper.status().targets[0]).toMatchObject({
      health: 'down',
      lastError: expect.stringMatching(/kafka down/),
    });
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('stop() aborts a scrape in flight and returns', async () => {
    const url = await serve(() => {});
    scraper = startScraper({
      config: { targets: [url], interval: '10s', timeout: '10s' },
      sink: { sendPoints: async () => {} },
    });
    await until(() => scraper?.status().targets[0]?.scrapes === 1, 'the first scrape to start');
    await scraper.stop();
    expect(scraper.status().targets[0]?.failures).toBe(0);
    scraper = undefined;
  });
});
