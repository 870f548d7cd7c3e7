import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ActuatorExecutor,
  ActuatorRejectedError,
  ActuatorUnavailableError,
  FENCING_HEADER,
  IDEMPOTENCY_HEADER,
  parseHealConfig,
  WebhookActuator,
} from '../../../src/heal/index.js';
import { act } from './actuator-fixtures.js';

/**
 * A managed system on loopback that behaves as the webhook contract asks: de-duplicates by
 * idempotency key, refuses fencing tokens older than the newest it saw (409), and can be told to fail.
 */
let app: FastifyInstance;
let url = '';
const seen = new Map<string, number>();
let effects: string[] = [];
let newest = 0;
let failNext = 0;
let headersSeen: Record<string, unknown>[] = [];

beforeAll(async () => {
  app = Fastify();
  app.post('/hook', async (req, reply) => {
    headersSeen.push(req.headers);
    if (failNext > 0) {
      failNext -= 1;
      return reply.code(503).send({ error: 'busy' });
    }
    const token = Number(req.headers[FENCING_HEADER]);
    if (token < newest) return reply.code(409).send({ error: `stale token ${token} < ${newest}` });
    newest = token;
    const key = String(req.headers[IDEMPOTENCY_HEADER]);
    const body = req.body as { action: { id: string; strategy: string; target: string } };
    if (seen.has(key)) return { duplicate: true, details: { first: seen.get(key) } };
    seen.set(key, effects.length);
    effects.push(`${body.action.strategy} ${body.action.target}`);
    return body.action.target === 'broken' ? { success: false } : { details: { restartedPid: 4242 } };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hook`;
});
afterAll(() => app.close());
beforeEach(() => {
  seen.clear();
  effects = [];
  newest = 0;
  failNext = 0;
  headersSeen = [];
});

describe('WebhookActuator (real HTTP on loopback)', () => {
  it('POSTs the action as JSON with the idempotency key and the fencing token', async () => {
    const w = new WebhookActuator({ name: 'hook', url, headers: { authorization: 'Bearer t' } });
    const r = await w.execute(act({ id: 'act-1', fencingToken: 5 }));
    expect(r.details).toMatchObject({ status: 200, restartedPid: 4242 });
    expect(headersSeen[0]).toMatchObject({
      [IDEMPOTENCY_HEADER]: 'act-1',
      [FENCING_HEADER]: '5',
      authorization: 'Bearer t',
      'content-type': 'application/json',
    });
    expect(effects).toEqual(['restart db-1']);
  });

  it('a repeated action id is applied once by the receiver', async () => {
    const w = new WebhookActuator({ name: 'hook', url });
    await w.execute(act({ id: 'act-1' }));
    const again = await w.execute(act({ id: 'act-1' }));
    expect(again.duplicate).toBe(true);
    expect(effects).toHaveLength(1);
  });

  it("the receiver's 409 for an older token is a non-retriable refusal", async () => {
    const newer = new WebhookActuator({ name: 'hook', url });
    const older = new WebhookActuator({ name: 'hook-old', url });
    await newer.execute(act({ id: 'act-1', fencingToken: 9 }));
    const err = await older.execute(act({ id: 'act-2', fencingToken: 8 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActuatorRejectedError);
    expect((err as Error).message).toMatch(/409/);
    expect(effects).toHaveLength(1);
  });

  it('reports an outcome the receiver gives at once', async () => {
    const r = await new WebhookActuator({ name: 'hook', url }).execute(act({ target: 'broken' }));
    expect(r.success).toBe(false);
  });

  it('5xx is retriable; through the executor (cockatiel retry) it succeeds after transient failures', async () => {
    const w = new WebhookActuator({ name: 'hook', url });
    failNext = 1;
    await expect(w.execute(act({ id: 'act-x' }))).rejects.toBeInstanceOf(ActuatorUnavailableError);
    failNext = 2;
    const ex = new ActuatorExecutor(parseHealConfig({ executor: { retries: 3, retryInitial: '5ms' } }).executor);
    const r = await ex.run(w, act({ id: 'act-y' }));
    expect(r.details['status']).toBe(200);
    expect(headersSeen.filter((h) => h[IDEMPOTENCY_HEADER] === 'act-y')).toHaveLength(3);
    expect(effects).toEqual(['restart db-1']);
  });

  it('an unreachable receiver is retriable; the breaker opens after consecutive failures', async () => {
    const dead = new WebhookActuator({ name: 'dead', url: 'http://127.0.0.1:9/hook' });
    const ex = new ActuatorExecutor(
      parseHealConfig({ executor: { retries: 0, breakerFailures: 2, breakerHalfOpenAfter: '1m' } }).executor,
    );
    await expect(ex.run(dead, act())).rejects.toBeInstanceOf(ActuatorUnavailableError);
    await expect(ex.run(dead, act())).rejects.toBeInstanceOf(ActuatorUnavailableError);
    await expect(ex.run(dead, act())).rejects.toThrow(/circuit/i);
  });
});
