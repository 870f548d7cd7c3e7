import SwaggerParser from '@apidevtools/swagger-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealRecords } from '../../../src/api/heal.js';
import { hashApiKey } from '../../../src/api/keys.js';
import { buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import { SCHEMA_VERSION } from '../../../src/contracts/index.js';
import { EmbeddedCoordinator } from '../../../src/coord/index.js';
import { createHealEngine, SimActuator } from '../../../src/heal/index.js';
import { API_CONFIG, anomaly, LIMITS } from './fixtures.js';

const T0 = Date.UTC(2024, 0, 1);
const KEYS = { ops: 'fl_ops_1234567890abcdef1234567890', viewer: 'fl_viewer_1234567890abcdef123456' };

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

async function system() {
  const coordinator = new EmbeddedCoordinator({ id: 'engine-a', startToken: 7 });
  await coordinator.campaign();
  const sim = new SimActuator();
  const records = createHealRecords();
  const engine = createHealEngine({
    config: {
      correlation: { groupWait: 0 },
      groups: [{ name: 'data', members: ['db', 'db-b'], replicated: true, maxUnavailablePercent: 50 }],
      policies: { node_failure: { strategies: ['failover', 'escalate'], learn: false } },
      approval: { strategies: { failover: 'semi-automatic' }, timeout: '10m' },
    },
    coordinator,
    actuators: { sim },
    onRecord: records.publish,
  });
  const app = await buildApi({
    config: {
      ...API_CONFIG,
      keys: [
        { name: 'ops', scopes: ['read', 'operate'], hash: hashApiKey(KEYS.ops) },
        { name: 'viewer', scopes: ['read'], hash: hashApiKey(KEYS.viewer) },
      ],
    },
    views: createViews(LIMITS),
    sink: { sendPoints: async () => {} },
    health: async () => ({ broker: true, consumersAssigned: true }),
    heal: { engine, records, coordinator },
  });
  apps.push(app, { close: () => coordinator.close() });
  const down = (source = 'db', ts = T0) =>
    engine.onAnomaly(
      anomaly({
        id: `${source}:up:${ts}`,
        source,
        metric: 'up',
        ts,
        startedAt: ts,
        severity: 'critical',
        v: SCHEMA_VERSION,
      }),
    );
  return { app, engine, sim, coordinator, down };
}

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

describe('/v1/actions and approvals', () => {
  it('lists the status, the coordinator, pending approvals and recent actions (read scope)', async () => {
    const { app, down } = await system();
    await down();
    expect((await app.inject({ url: '/v1/actions' })).statusCode).toBe(401);
    const res = await app.inject({ url: '/v1/actions', headers: auth(KEYS.viewer) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toMatchObject({ leader: true, safeMode: false, pendingApprovals: 1 });
    expect(body.coordinator).toMatchObject({ id: 'engine-a', backend: 'embedded', leader: true, safeMode: false });
    expect(body.coordinator.token).toBeGreaterThanOrEqual(7);
    expect(body.pending).toHaveLength(1);
    expect(body.pending[0]).toMatchObject({ strategy: 'failover' });
    expect(body.recent[0]).toMatchObject({ strategy: 'failover', decision: 'proposed', mode: 'semi-automatic' });
  });

  it('approving needs the operate scope, runs the plan, records who approved; a second approval is a 404', async () => {
    const { app, down, sim, coordinator } = await system();
    await down();
    const id = (await app.inject({ url: '/v1/actions', headers: auth(KEYS.ops) })).json().pending[0].id as string;
    const url = `/v1/actions/${encodeURIComponent(id)}/approve`;
    expect((await app.inject({ method: 'POST', url })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url, headers: auth(KEYS.viewer) })).statusCode).toBe(403);
    expect(sim.applied()).toEqual([]);

    const ok = await app.inject({ method: 'POST', url, headers: auth(KEYS.ops), payload: { comment: 'go' } });
    expect(ok.statusCode).toBe(200);
    const actions = ok.json().actions as Array<{ decision: string; reasons: string[] }>;
    expect(actions.map((a) => a.decision)).toEqual(['approved', 'executed']);
    expect(actions[1]?.reasons.join('\n')).toMatch(/approved by ops/);
    expect(sim.applied().map((a) => a.strategy)).toEqual(['failover']);
    expect((await coordinator.primary('data'))?.primary).toBe('db-b');

    const again = await app.inject({ method: 'POST', url, headers: auth(KEYS.ops) });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ error: 'not_found', retriable: false });
    const after = (await app.inject({ url: '/v1/actions', headers: auth(KEYS.ops) })).json();
    expect(after.pending).toEqual([]);
    expect(after.recent[0]).toMatchObject({ id, decision: 'executed' });
  });

  it('rejecting records the reason and the engine escalates; bad bodies are 400', async () => {
    const { app, down, sim } = await system();
    await down();
    const id = (await app.inject({ url: '/v1/actions', headers: auth(KEYS.ops) })).json().pending[0].id as string;
    const url = `/v1/actions/${encodeURIComponent(id)}/reject`;
    const bad = await app.inject({ method: 'POST', url, headers: auth(KEYS.ops), payload: { reason: 5 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0]).toMatchObject({ path: 'reason' });
    const res = await app.inject({ method: 'POST', url, headers: auth(KEYS.ops), payload: { reason: 'not now' } });
    expect(res.statusCode).toBe(200);
    const actions = res.json().actions as Array<{ strategy: string; decision: string; reasons: string[] }>;
    expect(actions[0]).toMatchObject({ strategy: 'failover', decision: 'rejected' });
    expect(actions[0]?.reasons.join('\n')).toMatch(/rejected by ops: not now/);
    expect(sim.applied().map((a) => a.strategy)).not.toContain('failover');
  });

  it('the OpenAPI document stays valid with the actions routes', async () => {
    const { app } = await system();
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    await SwaggerParser.validate(structuredClone(doc));
    expect(doc.paths['/v1/actions/{id}/approve'].post.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(Object.keys(doc.paths['/v1/actions/{id}/approve'].post.responses)).toEqual(
      expect.arrayContaining(['200', '401', '403', '404']),
    );
  });
});
