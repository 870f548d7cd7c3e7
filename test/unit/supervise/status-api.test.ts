import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../../src/api/keys.js';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import { createMetrics } from '../../../src/metrics/registry.js';
import { instrumentSupervisor } from '../../../src/metrics/supervisor.js';
import { type Supervisor, startSupervisor } from '../../../src/supervise/supervisor.js';
import { API_CONFIG, LIMITS } from '../api/fixtures.js';

const LONG =
  "process.stdout.write('up\\n'); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));";

async function until(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function apiWith(
  supervisor: Supervisor | undefined,
  keys: Array<{ name: string; hash: string; scopes: string[] }> = [],
) {
  const metrics = createMetrics({ processMetrics: false });
  instrumentSupervisor(metrics, () => supervisor);
  const app = await buildApi({
    config: { ...API_CONFIG, keys: keys as never },
    sink: { sendPoints: async () => {} },
    views: createViews(LIMITS),
    health: async () => ({ broker: true, consumersAssigned: true }),
    metrics,
    ...(supervisor ? { supervisor } : {}),
  });
  return app;
}

const sups: Supervisor[] = [];
afterAll(async () => {
  await Promise.all(sups.map((s) => s.stop()));
});

describe('supervisor status through the API and /metrics', () => {
  it('GET /v1/supervisor shows each child: name, pid, restarts, state, last exit; /metrics has the gauges', async () => {
    const sup = startSupervisor({
      children: [
        { name: 'worker-1', command: process.execPath, args: ['-e', LONG], readyPattern: /^up$/ },
        // exits 4 at once every time: restarted until the intensity limit, then the supervisor gives up
        { name: 'heal-1', command: process.execPath, args: ['-e', 'process.exit(4)'] },
      ],
      intensity: { maxRestarts: 2, periodMs: 60_000 },
      restartDelayMs: 50,
    });
    sups.push(sup);
    const app = await apiWith(sup);
    try {
      await until(() => sup.status().children[1]?.restarts === 2);
      const res = await app.inject({ url: '/v1/supervisor' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.intensity).toMatchObject({ maxRestarts: 2, periodMs: 60_000 });
      const heal = body.children.find((c: { name: string }) => c.name === 'heal-1');
      expect(heal).toMatchObject({ restarts: 2, lastExit: { code: 4, description: 'exit code 4' } });
      expect(body.children.map((c: { name: string }) => c.name)).toEqual(['worker-1', 'heal-1']);

      // the third crash is one too many: the supervisor gives up loudly and says why
      const end = await sup.done;
      expect(end.state).toBe('failed');
      const after = (await app.inject({ url: '/v1/supervisor' })).json();
      expect(after.state).toBe('failed');
      expect(after.reason).toMatch(/heal-1 exit code 4.*over the limit of 2 restarts in 60 s.*gives up/);
      expect(after.children.map((c: { state: string }) => c.state)).toEqual(['stopped', 'failed']);

      const text = (await app.inject({ url: '/metrics' })).body;
      expect(text).toMatch(/faultline_supervisor_state\{state="failed"\} 1/);
      expect(text).toMatch(/faultline_supervised_child_restarts_total\{child="heal-1"\} 2/);
      expect(text).toMatch(/faultline_supervised_child_last_exit_code\{child="heal-1"\} 4/);
      expect(text).toMatch(/faultline_supervised_child_up\{child="worker-1"\} 0/);
      expect(text).toMatch(/faultline_supervisor_max_restarts 2/);
    } finally {
      await app.close();
    }
  });

  it('a running child is up with its pid; the route is in the OpenAPI document and needs the read scope', async () => {
    const sup = startSupervisor({
      children: [{ name: 'worker-1', command: process.execPath, args: ['-e', LONG], readyPattern: /^up$/ }],
    });
    sups.push(sup);
    const app = await apiWith(sup, [
      { name: 'agent', scopes: ['ingest'], hash: hashApiKey('fl_ingest_key') },
      { name: 'grafana', scopes: ['read'], hash: hashApiKey('fl_reader_key') },
    ]);
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    try {
      await until(() => sup.status().children[0]?.state === 'running');
      expect((await app.inject({ url: '/v1/supervisor' })).statusCode).toBe(401);
      expect((await app.inject({ url: '/v1/supervisor', headers: as('fl_ingest_key') })).statusCode).toBe(403);
      const child = (await app.inject({ url: '/v1/supervisor', headers: as('fl_reader_key') })).json().children[0];
      expect(child).toMatchObject({ name: 'worker-1', state: 'running', restarts: 0, lastExit: null });
      expect(child.pid).toBe(sup.status().children[0]?.pid);
      const text = (await app.inject({ url: '/metrics', headers: as('fl_reader_key') })).body;
      expect(text).toMatch(/faultline_supervised_child_up\{child="worker-1"\} 1/);
      expect(text).toContain(`faultline_supervised_child_pid{child="worker-1"} ${child.pid}`);

      const doc = (await app.inject({ url: '/openapi.json', headers: as('fl_reader_key') })).json();
      await SwaggerParser.validate(structuredClone(doc));
      const op = doc.paths['/v1/supervisor'].get;
      expect(op.security).toBeDefined();
      expect(Object.keys(op.responses)).toContain('200');
    } finally {
      await app.close();
      await sup.stop();
    }
  });

  it('without a supervisor (no --workers) there is no route and no supervisor metric values', async () => {
    const app = await apiWith(undefined);
    try {
      expect((await app.inject({ url: '/v1/supervisor' })).statusCode).toBe(404);
      expect((await app.inject({ url: '/metrics' })).body).not.toMatch(/faultline_supervised_child_up\{/);
    } finally {
      await app.close();
    }
  });
});
