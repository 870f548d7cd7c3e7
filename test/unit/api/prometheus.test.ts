import { afterEach, describe, expect, it } from 'vitest';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import {
  createMetrics,
  instrumentCoordinator,
  instrumentHeal,
  instrumentModels,
  instrumentViews,
  instrumentWorkers,
  timedScorer,
} from '../../../src/metrics/index.js';
import type { DetectWorkerStats } from '../../../src/worker/detect-worker.js';
import { API_CONFIG, anomaly, LIMITS, point, score, scores } from './fixtures.js';

/** `name{labels} value` lines of the exposition, as a map (labels in the order printed). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

function workerStats(over: Partial<DetectWorkerStats> = {}): DetectWorkerStats {
  return {
    points: 0,
    replayedPoints: 0,
    dlq: 0,
    events: 0,
    firing: 0,
    scoreMessages: 0,
    batches: 0,
    series: 0,
    evictedSeries: 0,
    expiredSeries: 0,
    keyMismatches: 0,
    rebuilds: 0,
    retries: 0,
    poisonBatches: 0,
    commits: 0,
    commitFailures: 0,
    lag: 0,
    ...over,
  };
}

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

async function api(metrics = createMetrics()) {
  const views = createViews(LIMITS);
  const app = await buildApi({
    config: API_CONFIG,
    views,
    metrics,
    sink: { sendPoints: async () => {} },
    health: async () => ({ broker: true, consumersAssigned: true }),
  });
  apps.push(app);
  return { app, views, metrics };
}

describe('GET /metrics', () => {
  it('serves the Prometheus text format with process metrics and the points ingested', async () => {
    const { app } = await api();
    const post = await app.inject({ method: 'POST', url: '/v1/metrics', payload: [point(), point({ ts: 2 })] });
    expect(post.statusCode).toBe(202);
    await app.inject({ method: 'POST', url: '/v1/metrics', payload: point({ value: 'x' }) }); // 400: not counted
    const res = await app.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = samples(res.body);
    expect(s.get('faultline_api_points_ingested_total')).toBe(2);
    expect(res.body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(res.body).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(s.get('faultline_http_requests_total{method="POST",route="/v1/metrics",status="202"}')).toBe(1);
    expect(s.get('faultline_http_requests_total{method="POST",route="/v1/metrics",status="400"}')).toBe(1);
  });

  it('reports the in-process workers from their stats(), labelled by worker', async () => {
    const metrics = createMetrics({ processMetrics: false });
    let stats = workerStats({ points: 10, dlq: 1, lag: 7, series: 3 });
    const worker = { stats: () => stats, assignedPartitions: () => [0, 2] };
    instrumentWorkers(metrics, () => [{ id: 'w0', worker }]);
    let s = samples(await metrics.render());
    expect(s.get('faultline_worker_points_processed_total{worker="w0"}')).toBe(10);
    expect(s.get('faultline_worker_dlq_messages_total{worker="w0"}')).toBe(1);
    expect(s.get('faultline_worker_lag_messages{worker="w0"}')).toBe(7);
    expect(s.get('faultline_worker_series{worker="w0"}')).toBe(3);
    expect(s.get('faultline_worker_assigned_partitions{worker="w0"}')).toBe(2);
    stats = workerStats({ points: 25, dlq: 1, lag: 0, series: 3 });
    s = samples(await metrics.render());
    expect(s.get('faultline_worker_points_processed_total{worker="w0"}')).toBe(25);
    expect(s.get('faultline_worker_lag_messages{worker="w0"}')).toBe(0);
  });

  it('counts anomaly events by state, severity and rule once per transition, and the view sizes', async () => {
    const { app, views, metrics } = await api(createMetrics({ processMetrics: false }));
    const feedStats = { anomalies: 3, scores: 1, invalid: 2 };
    instrumentViews(metrics, views, () => ({ stats: () => feedStats }));
    const e = anomaly();
    views.addAnomaly(e);
    views.addAnomaly(e); // redelivery
    views.addAnomaly({ ...e, state: 'resolved', ts: e.ts + 60_000 });
    views.addAnomaly(anomaly({ id: 'other', rule: 'drift', severity: 'critical' }));
    views.addScores(scores('host-1', 'cpu', [score(1), score(2)]));
    const s = samples((await app.inject({ url: '/metrics' })).body);
    expect(s.get('faultline_anomaly_events_total{state="firing",severity="warning",rule="spike"}')).toBe(1);
    expect(s.get('faultline_anomaly_events_total{state="resolved",severity="warning",rule="spike"}')).toBe(1);
    expect(s.get('faultline_anomaly_events_total{state="firing",severity="critical",rule="drift"}')).toBe(1);
    expect(s.get('faultline_view_anomalies')).toBe(2);
    expect(s.get('faultline_view_series')).toBe(1);
    expect(s.get('faultline_view_feed_messages_total{kind="invalid"}')).toBe(2);
  });

  it('a failing scrape-time callback empties its gauge, keeps its counter, and the rest still renders', async () => {
    const errors: string[] = [];
    const metrics = createMetrics({ processMetrics: false, onError: (m) => errors.push(m) });
    let fail = false;
    metrics.gauge({
      name: 'g',
      help: 'g',
      collect: () => {
        if (fail) throw new Error('down');
        return 5;
      },
    });
    metrics.counterFrom({
      name: 'c_total',
      help: 'c',
      collect: async () => {
        if (fail) throw new Error('down');
        return 9;
      },
    });
    metrics.gauge({ name: 'ok', help: 'ok', collect: () => 1 });
    expect(samples(await metrics.render()).get('c_total')).toBe(9);
    fail = true;
    const s = samples(await metrics.render());
    expect(s.get('g')).toBe(0);
    expect(s.get('c_total')).toBe(9);
    expect(s.get('ok')).toBe(1);
    await metrics.render();
    expect(errors).toEqual(['g', 'c_total']); // reported once until it recovers
  });

  it('the timed scorer samples update latency into a histogram and passes scores through unchanged', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const inner = {
      init: () => ({ n: 0 }),
      update: (st: { n: number }, p: { ts: number; value: number | null }, _meta: unknown) => {
        st.n++;
        return { score: score(p.ts, { value: p.value }), events: [] };
      },
      updateFast: (st: { n: number }) => {
        st.n++;
        return { events: [] };
      },
      revive: () => ({ n: 42 }),
    };
    const timed = timedScorer(inner, metrics, { every: 4 });
    const st = timed.init();
    for (let i = 0; i < 20; i++) {
      const out = timed.update(st, { ts: i, value: i }, { source: 's', metric: 'm' });
      expect(out.score.ts).toBe(i);
    }
    for (let i = 0; i < 20; i++) timed.updateFast(st);
    expect(st.n).toBe(40);
    expect(timed.revive().n).toBe(42); // the scorer's other methods stay reachable
    const s = samples(await metrics.render());
    expect(s.get('faultline_detector_update_seconds_count')).toBe(10);
  });
});

describe('heal, coordinator and model metrics', () => {
  it('counts actions and outcomes from records, reads status at scrape time', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const status = {
      engine: 'e',
      leader: true,
      safeMode: false,
      reason: 'leader',
      dryRun: false,
      openCases: 2,
      inFlight: 1,
      pendingApprovals: 1,
      dataTime: 5,
    };
    const heal = instrumentHeal(metrics, () => ({ status: () => status }));
    const action = {
      v: 1 as const,
      id: 'a1',
      faultId: 'f1',
      strategy: 'failover' as const,
      target: 'db-1',
      params: {},
      fencingToken: 3,
      mode: 'semi-automatic' as const,
      decision: 'executed' as const,
      reasons: [],
      dryRun: false,
      ts: 1,
      attempt: 1,
      engine: 'e',
    };
    heal.onRecord({ kind: 'action', action });
    heal.onRecord({ kind: 'action', action: { ...action, decision: 'proposed' } });
    heal.onRecord({
      kind: 'outcome',
      outcome: {
        v: 1,
        actionId: 'a1',
        faultId: 'f1',
        faultType: 'node_failure',
        strategy: 'failover',
        target: 'db-1',
        success: true,
        timeToRecoverMs: 1000,
        verifiedAt: 2,
        details: {},
      },
    });
    let coord = {
      id: 'c1',
      backend: 'etcd' as const,
      leader: true,
      token: 42,
      safeMode: false,
      reason: 'leader',
      campaigning: true,
    };
    instrumentCoordinator(metrics, () => ({ status: () => coord }));
    instrumentModels(metrics, async () => [{ name: 'predictor', versions: [1, 2, 3], latest: 3 }]);
    let s = samples(await metrics.render());
    expect(s.get('faultline_heal_actions_total{strategy="failover",decision="executed",dry_run="false"}')).toBe(1);
    expect(s.get('faultline_heal_actions_total{strategy="failover",decision="proposed",dry_run="false"}')).toBe(1);
    expect(
      s.get('faultline_heal_outcomes_total{strategy="failover",fault_type="node_failure",result="recovered"}'),
    ).toBe(1);
    expect(s.get('faultline_heal_leader')).toBe(1);
    expect(s.get('faultline_heal_pending_approvals')).toBe(1);
    expect(s.get('faultline_coordinator_leader{id="c1",backend="etcd"}')).toBe(1);
    expect(s.get('faultline_coordinator_fencing_token{id="c1",backend="etcd"}')).toBe(42);
    expect(s.get('faultline_model_latest_version{model="predictor"}')).toBe(3);
    expect(s.get('faultline_model_versions{model="predictor"}')).toBe(3);
    coord = { ...coord, leader: false, token: undefined as unknown as number, safeMode: true, reason: 'quorum lost' };
    s = samples(await metrics.render());
    expect(s.get('faultline_coordinator_leader{id="c1",backend="etcd"}')).toBe(0);
    expect(s.get('faultline_coordinator_safe_mode{id="c1",backend="etcd"}')).toBe(1);
    expect(s.get('faultline_coordinator_fencing_token{id="c1",backend="etcd"}')).toBe(0);
  });
});
