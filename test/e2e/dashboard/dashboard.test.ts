import { copyFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/api/keys.js';
import type { MetricPointInput } from '../../../src/contracts/metric.js';
import { testBrokers } from '../../helpers/kafka.js';
import { hasChromium, launchChromium } from './browser.js';
import { type RunningSystem, STEP, startSystem, T0, testPipeline, waitFor, wave } from './system.js';

const KEY = 'fl_e2e_operator_6b1d0c3e9a7f45e2b8d1c0a9f3e7d5b1';
const SCREENSHOT = 'test/artifacts/dashboard.png';
const SERIES = [
  { source: 'web-1', metric: 'latency_ms' },
  { source: 'web-2', metric: 'latency_ms' },
  { source: 'db-1', metric: 'cpu' },
];
const WARM = 480; // points per series before the page opens (4 cycles of the wave)
const LIVE = 90; // points per series sent while the page watches
const SPIKE_AT = WARM + 80; // db-1 cpu jumps here (10 points before the end: still firing when the picture is taken)
const spikeTs = T0 + SPIKE_AT * STEP;

/** db-1's cpu overload is a node failure of the replicated group data; failover needs an operator's approval */
const HEAL = {
  correlation: { groupWait: 0 },
  rules: [
    {
      name: 'db-overload',
      metrics: ['cpu'],
      sources: ['db-*'],
      type: 'node_failure' as const,
      direction: 'above' as const,
    },
  ],
  groups: [{ name: 'data', members: ['db-1', 'db-2'], replicated: true, maxUnavailablePercent: 50 }],
  policies: { node_failure: { strategies: ['failover' as const, 'escalate' as const], learn: false } },
  approval: { strategies: { failover: 'semi-automatic' as const }, timeout: '2h' },
};

/** points i in [from, to) of every series, interleaved in time; db-1 spikes at SPIKE_AT */
function tick(from: number, to: number): MetricPointInput[] {
  const per = SERIES.map((s, k) => wave(s.source, s.metric, from, to, k));
  const out: MetricPointInput[] = [];
  for (let i = 0; i < to - from; i++) {
    for (const pts of per) {
      const p = pts[i] as MetricPointInput & { value: number };
      if (p.source === 'db-1' && p.ts === spikeTs) p.value += 70;
      out.push(p);
    }
  }
  return out;
}

describe('web dashboard against the running system (real Kafka, detect worker, API, Chromium)', () => {
  let sys: RunningSystem;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    if (!hasChromium()) throw new Error('Chromium is missing: apt-get install -y chromium (.ci/run installs it)');
    const pipeline = testPipeline('dash', {
      keys: [{ name: 'operator', scopes: ['read', 'operate'], hash: hashApiKey(KEY) }],
    });
    sys = await startSystem(testBrokers(), pipeline, { stream: { flushMs: 250 } }, HEAL);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await sys?.stop();
  });

  it('loads, asks for the key; a live anomaly appears without a reload; an approval click reaches the engine', async () => {
    await sys.send(tick(0, WARM));
    const lastWarm = T0 + (WARM - 1) * STEP;
    await waitFor(
      () => sys.views.listSeries().filter((s) => s.lastTs === lastWarm).length === SERIES.length,
      90_000,
      'the warm-up scores of every series in the views',
    );

    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/401|403/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    await page.goto(`${sys.base}/`);
    expect(page.url()).toBe(`${sys.base}/dashboard/`);

    // the API needs a key: the page asks for one
    await page.locator('#key-dialog[open]').waitFor({ timeout: 15_000 });
    await page.locator('#key-input').fill(KEY);
    await page.locator('#key-form button[type=submit]').click();
    await page.locator('[data-testid=conn-status][data-state=live]').waitFor({ timeout: 30_000 });
    await page
      .locator('#series-list li')
      .nth(SERIES.length - 1)
      .waitFor({ timeout: 30_000 });
    await page.evaluate(() => {
      (globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true;
    });

    // live: the heal engine follows from now on; the rest of the data, paced, with the spike near the end
    sys.heal?.feed();
    const spikeRow = page.locator(
      `[data-testid=anomaly-row][data-state=firing][data-series="db-1|cpu"][data-id$=":${spikeTs}"]`,
    );
    expect(await spikeRow.count()).toBe(0);
    for (let i = WARM; i < WARM + LIVE; i += 10) {
      await sys.send(tick(i, Math.min(WARM + LIVE, i + 10)));
      await new Promise((r) => setTimeout(r, 150));
    }
    await spikeRow
      .first()
      .waitFor({ timeout: 60_000 })
      .catch(async (err) => {
        mkdirSync('test/artifacts', { recursive: true });
        await page.screenshot({ path: 'test/artifacts/dashboard-failure.png', fullPage: true });
        const seen = sys.views.anomalies({ source: 'db-1' }).map((a) => `${a.id} ${a.state}`);
        throw new Error(`${(err as Error).message}\nanomalies of db-1 in the views: ${seen.join(', ') || 'none'}`);
      });
    await expect.poll(() => page.locator('#chart-title').textContent(), { timeout: 10_000 }).toBe('db-1 · cpu');
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument), {
        timeout: 1000,
      })
      .toBe(true);
    const row = await spikeRow.first().innerText();
    expect(row).toContain('db-1 · cpu');
    expect(row).toMatch(/firing/);
    // the chart drew the spike's series: its canvas exists and the last points arrived through the stream
    await page.locator('#chart-value canvas').waitFor();
    await expect
      .poll(() => page.locator('#stat-last').textContent(), { timeout: 10_000 })
      .toContain(new Date(spikeTs).toISOString().slice(0, 10));

    // the engine proposed a failover that waits for an operator: the page shows it with its buttons
    const approval = page.locator('[data-testid=approval]');
    await approval.first().waitFor({ timeout: 30_000 });
    expect(await approval.first().innerText()).toMatch(/failover\s+db-1/);
    const pending = sys.heal?.engine.pendingApprovals() ?? [];
    expect(pending.map((p) => p.strategy)).toEqual(['failover']);

    await page.waitForTimeout(1200); // let the last score updates land before the picture
    mkdirSync('test/artifacts', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    if (process.env.FAULTLINE_UPDATE_DOCS_SCREENSHOT === '1') {
      mkdirSync('docs', { recursive: true });
      copyFileSync(SCREENSHOT, 'docs/dashboard.png');
    }

    // one click: the approval reaches the engine, which promotes db-2 through the coordinator
    expect(sys.heal?.sim.applied()).toEqual([]);
    await page.locator(`[data-testid=approve][data-id="${pending[0]?.id}"]`).click();
    await page.locator('[data-testid=action][data-decision=executed]').first().waitFor({ timeout: 30_000 });
    expect(sys.heal?.sim.applied().map((a) => [a.strategy, a.target])).toEqual([['failover', 'db-1']]);
    expect((await sys.heal?.coordinator.primary('data'))?.primary).toBe('db-2');
    expect(sys.heal?.engine.pendingApprovals()).toEqual([]);
    await expect.poll(() => approval.count(), { timeout: 10_000 }).toBe(0);
    const executed = sys.heal?.sim.applied()[0];
    expect(executed?.reasons.join('\n')).toMatch(/approved by operator/);

    expect(problems).toEqual([]);
    await page.close();
  });

  it('GET /metrics reports the pipeline: points, lag per partition, detector latency, events', async () => {
    const get = (headers: Record<string, string> = {}) => fetch(`${sys.base}/metrics`, { headers });
    expect((await get()).status).toBe(401);
    await waitFor(
      async () => {
        const text = await (await get({ authorization: `Bearer ${KEY}` })).text();
        return /^faultline_consumer_lag_messages\{group="[^"]+\.detect".*\} 0$/m.test(text);
      },
      60_000,
      'the worker group caught up (lag 0)',
    );
    const text = await (await get({ authorization: `Bearer ${KEY}` })).text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
    expect(value(/^faultline_worker_points_processed_total\{worker="0"\} (\d+)/m)).toBe(SERIES.length * (WARM + LIVE));
    expect(value(/^faultline_detector_update_seconds_count (\d+)/m)).toBeGreaterThanOrEqual(
      SERIES.length * (WARM + LIVE),
    );
    const lagLines = text.split('\n').filter((l) => l.startsWith('faultline_consumer_lag_messages{'));
    const partitions = sys.pipeline.topics.partitions;
    // the worker group on the metrics topic, the view feed on anomalies + scores
    expect(lagLines.length).toBe(partitions * 3);
    expect(
      value(/^faultline_anomaly_events_total\{state="firing",severity="(?:warning|critical)",rule="[^"]+"\} (\d+)/m),
    ).toBeGreaterThanOrEqual(1);
    expect(value(/^faultline_dlq_messages (\d+)/m)).toBe(0);
    expect(
      value(/^faultline_heal_actions_total\{strategy="failover",decision="executed",dry_run="false"\} (\d+)/m),
    ).toBe(1);
    expect(value(/^faultline_coordinator_leader\{id="heal-e2e",backend="embedded"\} (\d+)/m)).toBe(1);
    expect(value(/^faultline_coordinator_fencing_token\{id="heal-e2e",backend="embedded"\} (\d+)/m)).toBeGreaterThan(0);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });
});
