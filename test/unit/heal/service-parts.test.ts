import { describe, expect, it } from 'vitest';
import type { Action, Outcome, Prediction } from '../../../src/contracts/index.js';
import { SCHEMA_VERSION } from '../../../src/contracts/index.js';
import {
  coordinatorFor,
  decodeInput,
  HeldOutcomes,
  healTopicsOf,
  OperatorDecisions,
  operatorDecision,
  operatorRecord,
  PredictionWarnings,
} from '../../../src/heal/service/index.js';
import { healChildren } from '../../../src/supervise/heal.js';
import { DecodeError } from '../../../src/transport/errors.js';

const topics = healTopicsOf({
  topics: { partitions: 1, metrics: 'm', scores: 's', anomalies: 'a', dlq: 'd' },
});

const prediction = (ts: number, p: number, type = 'resource_exhaustion' as const): Prediction => ({
  v: SCHEMA_VERSION,
  id: `db:${ts}`,
  ts,
  source: 'db',
  model: { name: 'predictor', version: 2, kind: 'predictor' },
  horizonMs: 15 * 60_000,
  score: null,
  faults: [
    { type, p },
    { type: 'node_failure', p: 0.01 },
  ],
  contributors: [],
  reason: 'x',
});

const action = (over: Partial<Action> = {}): Action => ({
  v: SCHEMA_VERSION,
  id: 'act-1',
  faultId: 'flt-1',
  strategy: 'restart',
  target: 'db',
  params: {},
  fencingToken: 7,
  mode: 'semi-automatic',
  decision: 'proposed',
  reasons: ['db is down'],
  dryRun: false,
  ts: 1000,
  attempt: 1,
  engine: 'heal-1',
  actuator: 'sim',
  ...over,
});

const outcome = (actionId: string): Outcome => ({
  v: SCHEMA_VERSION,
  actionId,
  faultId: 'flt-1',
  faultType: 'node_failure',
  strategy: 'restart',
  target: 'db',
  success: true,
  timeToRecoverMs: 1000,
  verifiedAt: 5000,
  details: {},
});

describe('heal service pieces', () => {
  it('topics default to the TOPICS names unless the pipeline names them', () => {
    expect(topics).toEqual({
      anomalies: 'a',
      scores: 's',
      dlq: 'd',
      predictions: 'faultline.predictions',
      actions: 'faultline.actions',
      outcomes: 'faultline.outcomes',
    });
  });

  it('decodes each topic with its contract; bad input names topic, partition, offset and field', () => {
    const where = { topic: 'faultline.actions', partition: 2, offset: '41' };
    expect(decodeInput(topics, where, Buffer.from(JSON.stringify(action())))).toMatchObject({ kind: 'action' });
    expect(() => decodeInput(topics, where, Buffer.from('{'))).toThrow(
      /faultline\.actions\[2\]@41: action record: \(root\): invalid JSON/,
    );
    let err: unknown;
    try {
      decodeInput(topics, where, Buffer.from(JSON.stringify(action({ strategy: 'reboot' as never }))));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).retriable).toBe(false);
    expect((err as DecodeError).message).toMatch(/strategy/);
    expect(() => decodeInput(topics, { ...where, topic: 'other' }, Buffer.from('{}'))).toThrow(
      /does not read topic other/,
    );
    expect(() => decodeInput(topics, { ...where, topic: 'a' }, null)).toThrow(/empty message value/);
  });

  it('predictions become warnings with hysteresis and deterministic ids', () => {
    const w = new PredictionWarnings(0.8, 0.5);
    expect(w.toEvents(prediction(1, 0.5))).toEqual([]);
    const [fire] = w.toEvents(prediction(2, 0.9));
    expect(fire).toMatchObject({
      state: 'firing',
      source: 'db',
      metric: 'predicted_resource_exhaustion',
      ts: 2,
      score: 0.9,
    });
    expect(fire?.id).toBe('db|predicted_resource_exhaustion:predictor@2:2');
    expect(w.toEvents(prediction(3, 0.6))).toEqual([]); // still above 0.8 × 0.5
    const [resolve] = w.toEvents(prediction(4, 0.3));
    expect(resolve).toMatchObject({ state: 'resolved', metric: 'predicted_resource_exhaustion', ts: 4 });
    // an autoencoder prediction (no fault probabilities) is left to the detectors
    expect(
      w.toEvents({ ...prediction(5, 0.9), faults: [], model: { name: 'ae', version: 1, kind: 'autoencoder' } }),
    ).toEqual([]);
  });

  it('a standby holds its own outcomes until the leader’s show up, and releases the rest when it takes over', () => {
    const h = new HeldOutcomes();
    h.hold(outcome('a'));
    h.hold(outcome('b'));
    h.seen('a');
    h.hold(outcome('a')); // already published by the leader: not held again
    expect(h.size).toBe(1);
    expect(h.release().map((o) => o.actionId)).toEqual(['b']);
    expect(h.size).toBe(0);
  });

  it('operator decisions travel on the actions topic and are applied to the pending approval of that id', () => {
    const rec = operatorRecord(action(), 'reject', 'alice', 'not now');
    expect(rec).toMatchObject({ id: 'act-1', decision: 'rejected', engine: 'operator:alice' });
    expect(operatorDecision(rec)).toEqual({
      id: 'act-1',
      verb: 'reject',
      by: 'alice',
      reason: 'rejected by alice: not now',
    });
    expect(operatorDecision(action({ decision: 'approved' }))).toBeNull(); // an engine's own record
    expect(operatorDecision(action({ engine: 'operator:bob', decision: 'executed' }))).toBeNull();
    const d = new OperatorDecisions();
    d.remember({ id: 'act-1', verb: 'approve', by: 'bob' });
    expect(d.take(['act-2'])).toEqual([]);
    expect(d.take(['act-2', 'act-1'])).toEqual([{ id: 'act-1', verb: 'approve', by: 'bob' }]);
    expect(d.take(['act-1'])).toEqual([]);
  });

  it('the embedded coordinator unless the pipeline (or --etcd) names etcd', async () => {
    const c = coordinatorFor({ coordinator: undefined }, { id: 'heal-x' });
    expect(c.backend).toBe('embedded');
    expect(c.id).toBe('heal-x');
    await c.close();
    const env = process.env['ETCD_ENDPOINTS'];
    delete process.env['ETCD_ENDPOINTS'];
    try {
      expect(() =>
        coordinatorFor(
          {
            coordinator: {
              backend: 'etcd',
              endpoints: [],
              namespace: 'n',
              election: 'e',
              ttlSeconds: 5,
              callTimeoutMs: 1000,
              callAttempts: 3,
              safeModeAfterMs: 2000,
              probeIntervalMs: 500,
              recheckMs: 1000,
            },
          },
          {},
        ),
      ).toThrow(/endpoints/);
    } finally {
      if (env !== undefined) process.env['ETCD_ENDPOINTS'] = env;
    }
  });

  it('heal engine children: named heal-1..N, stable ids, ready once started, transient', () => {
    const specs = healChildren({ count: 2, pipelineFile: 'p.yaml', brokers: ['b:1'], etcd: ['http://e:2379'] });
    expect(specs.map((s) => s.name)).toEqual(['heal-1', 'heal-2']);
    expect(specs[1]?.args).toEqual(
      expect.arrayContaining(['--id', 'heal-2', '--etcd', 'http://e:2379', '--brokers', 'b:1']),
    );
    expect(specs[0]?.args.some((a) => a.endsWith('heal/service/main.ts'))).toBe(true);
    expect(specs[0]?.readyPattern?.test('INFO  [heal] heal service started id=heal-1')).toBe(true);
    expect(specs[0]?.restart).toBe('transient');
  });
});
