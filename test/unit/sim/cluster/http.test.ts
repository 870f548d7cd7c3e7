import { afterEach, describe, expect, it } from 'vitest';
import { WebhookActuator } from '../../../../src/heal/actuators/webhook.js';
import { ActuatorRejectedError } from '../../../../src/heal/errors.js';
import { type ClusterServer, startClusterServer } from '../../../../src/sim/cluster/http.js';
import { runChaos } from '../../../../src/sim/cluster/runner.js';
import type { Scenario } from '../../../../src/sim/cluster/scenarios.js';
import { buildTopology } from '../../../../src/sim/cluster/topology.js';
import { action, cluster, MIN, S, T0 } from './helpers.js';

let server: ClusterServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the cluster over HTTP (the webhook actuator path)', () => {
  it('applies a POSTed action once, answers repeats as duplicates and refuses stale fencing tokens', async () => {
    const c = cluster();
    c.inject({ kind: 'crash', at: T0 + S, target: 'api-1' });
    c.step(T0 + S);
    server = await startClusterServer(c);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/actions$/);
    const hook = new WebhookActuator({ name: 'cluster', url: server.url });
    const a = action('restart', 'api-1');
    const first = await hook.execute(a);
    expect(first.details).toMatchObject({ status: 200, applied: 'restart', target: 'api-1' });
    expect(c.view('api-1').conditions).toEqual(['restarting']);
    expect((await hook.execute(a)).duplicate).toBe(true);
    expect(server.duplicateDeliveries()).toBe(1);
    expect(c.actions()).toHaveLength(1);

    // a deposed leader's action: an older token than the newest the endpoint saw
    const stale = { ...action('restart', 'api-2'), fencingToken: 3 };
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': stale.id, 'x-faultline-fencing-token': '3' },
      body: JSON.stringify({ action: stale }),
    });
    expect(res.status).toBe(409);
    await expect(new WebhookActuator({ name: 'other', url: server.url }).execute(stale)).rejects.toBeInstanceOf(
      ActuatorRejectedError,
    );
    expect(c.actions()).toHaveLength(1);
    const nodes = (await (await fetch(server.url.replace('/actions', '/nodes'))).json()) as { nodes: unknown[] };
    expect(nodes.nodes).toHaveLength(5);
  });

  it('the heal engine drives the simulated cluster through its webhook actuator over loopback', async () => {
    const start = Date.UTC(2024, 0, 3);
    const sc: Scenario = {
      name: 'webhook',
      description: 'one crash',
      topology: buildTopology({ db: 2, cache: 0, api: 2, queue: 0, worker: 0 }),
      start,
      warmupMs: 3 * 60 * MIN,
      warmupStepMs: MIN,
      durationMs: 15 * MIN,
      faults: [{ kind: 'crash', at: start + 3 * 60 * MIN + 5 * MIN, target: 'api-2' }],
    };
    const r = await runChaos({ scenario: sc, actuator: 'webhook' });
    const [f] = r.cluster.faults();
    expect(f?.recoveredBy).toBe('action');
    expect(f?.recoveredWith).toBe('restart');
    const executed = r.records.filter((x) => x.kind === 'action' && x.action.decision === 'executed');
    expect(executed.map((x) => (x.kind === 'action' ? x.action.actuator : ''))).toEqual(['cluster']);
    expect(r.scorecard.mttr_median_s).toBeLessThanOrEqual(10);
  }, 30_000);
});
