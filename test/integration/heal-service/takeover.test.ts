import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdCluster } from '../../../infra/etcd/cluster.js';
import { Action, type AnomalyEvent, Outcome, SCHEMA_VERSION, type SeriesScores } from '../../../src/contracts/index.js';
import { ensureTopics } from '../../../src/transport/admin.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { freshNamespace, startTestEtcd, waitFor } from '../../helpers/etcd.js';
import { testBrokers } from '../../helpers/kafka.js';
import { HealProcess } from './heal-process.js';

// Two heal engine PROCESSES on real Kafka and a real 3-member etcd. The leader restarts the failed
// database, is SIGKILLed while the restart is being verified; the standby leads within the lease TTL
// bound, finds the restart did not help, fails over (etcd transaction) and verifies the recovery.
const TTL = 2;
const TAKEOVER_BOUND_MS = TTL * 1000 + 8000;
const S = 1000;
const SCRIPT = fileURLToPath(new URL('./apply.sh', import.meta.url));

let cluster: EtcdCluster;
let dir: string;
const procs: HealProcess[] = [];
let consumer: Consumer | undefined;

beforeAll(async () => {
  cluster = await startTestEtcd();
  dir = mkdtempSync(join(tmpdir(), 'heal-service-'));
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await consumer?.disconnect();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function pipelineFile(base: string, ns: string): string {
  const command = { exec: '/bin/sh', args: [SCRIPT, dir, '{actionId}', '{token}', '{strategy}', '{target}'] };
  const pipeline = {
    name: 'heal-takeover',
    topics: {
      partitions: 2,
      metrics: `${base}.metrics`,
      scores: `${base}.scores`,
      anomalies: `${base}.anomalies`,
      dlq: `${base}.dlq`,
      predictions: `${base}.predictions`,
      actions: `${base}.actions`,
      outcomes: `${base}.outcomes`,
    },
    detectors: [{ kind: 'zscore' }],
    alarms: [{ name: 'anomaly', threshold: 0.8 }],
    heal: {
      correlation: { groupWait: 0 },
      verify: { window: '2m', healthyFor: '10s' },
      gates: { cooldown: '0s', retryEvery: '1s' },
      groups: [{ name: 'data', members: ['db', 'db-b'], replicated: true, maxUnavailablePercent: 50 }],
      policies: { node_failure: { strategies: ['restart', 'failover', 'escalate'], learn: false } },
      actuators: [
        { kind: 'command', name: 'system', allow: ['/bin/sh'], commands: { restart: command, failover: command } },
      ],
    },
    coordinator: { backend: 'etcd', endpoints: cluster.endpoints, namespace: ns, ttlSeconds: TTL },
    healer: { tickEvery: '200ms', groupId: `${base}.heal` },
  };
  const file = join(dir, `${base}.yaml`);
  writeFileSync(file, JSON.stringify(pipeline, null, 2));
  return file;
}

const down = (ts: number): AnomalyEvent => ({
  v: SCHEMA_VERSION,
  id: `db|up:critical:${ts}`,
  state: 'firing',
  ts,
  source: 'db',
  metric: 'up',
  severity: 'critical',
  score: 1,
  scores: { zscore: 1 },
  value: 0,
  expected: 1,
  lower: 1,
  upper: 1,
  startedAt: ts,
  reason: 'db is down',
  rule: 'critical',
});

const scores = (from: number, to: number, score: number): SeriesScores => {
  const points = [];
  for (let ts = from; ts <= to; ts += S) {
    points.push({
      ts,
      value: score > 0.5 ? 0 : 1,
      score,
      scores: { zscore: score },
      expected: 1,
      lower: 1,
      upper: 1,
      status: 'ready' as const,
    });
  }
  return { v: SCHEMA_VERSION, source: 'db', metric: 'up', partition: 0, fromOffset: '0', toOffset: '0', points };
};

const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [id, token, strategy, target] = l.split(' ');
          return { id: id as string, token: Number(token), strategy, target };
        })
    : [];

describe('heal engine processes on real Kafka and a real 3-member etcd', () => {
  it('the leader acts, is SIGKILLed mid-remediation; the standby takes over within the TTL and completes it; every action is applied once', async () => {
    const base = `heal-${randomBytes(4).toString('hex')}`;
    const ns = freshNamespace('healsvc');
    const file = pipelineFile(base, ns);
    const brokers = testBrokers();
    const kafka = createKafka({ brokers, clientId: 'heal-takeover-test' });
    const t = {
      anomalies: `${base}.anomalies`,
      scores: `${base}.scores`,
      actions: `${base}.actions`,
      outcomes: `${base}.outcomes`,
    };
    await ensureTopics(
      kafka,
      [...Object.values(t), `${base}.predictions`, `${base}.dlq`].map((topic) => ({ topic, partitions: 2 })),
    );

    // what the engines publish
    const actions: Action[] = [];
    const outcomes: Outcome[] = [];
    consumer = kafka.consumer({ groupId: `${base}.observer` });
    await consumer.connect();
    await consumer.subscribe({ topics: [t.actions, t.outcomes], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const v = JSON.parse(message.value?.toString() ?? 'null');
        if (topic === t.actions) actions.push(Action.parse(v));
        else outcomes.push(Outcome.parse(v));
      },
    });

    const a = new HealProcess('heal-a', file, brokers);
    procs.push(a);
    await waitFor('engine a ready and leading', () => a.isReady() && a.leadership().leader, 60_000);
    const tokenA = a.leadership().token as number;
    const b = new HealProcess('heal-b', file, brokers);
    procs.push(b);
    await waitFor('engine b ready', () => b.isReady(), 60_000);
    expect(b.leadership().leader).toBe(false);

    const producer = createProducer(kafka);
    await producer.connect();
    const T0 = Date.now();
    await producer.send(t.anomalies, [{ key: 'db|up', value: JSON.stringify(down(T0)) }]);

    // the leader restarts db (attempt 1) with its token
    const restart = await waitFor(
      'the leader to execute the restart',
      () => actions.find((x) => x.decision === 'executed' && x.strategy === 'restart'),
      30_000,
    );
    expect(restart).toMatchObject({ engine: 'heal-a', fencingToken: tokenA, target: 'db', attempt: 1 });

    // mid-remediation: the restart is being verified when the leader dies
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    await waitFor('the standby to lead', () => b.leadership().leader, TAKEOVER_BOUND_MS);
    const takeoverMs = (b.leadership().at as number) - killedAt;
    const tokenB = b.leadership().token as number;
    expect(tokenB).toBeGreaterThan(tokenA);
    expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS);

    // db stays down past the verification window: the new leader climbs the ladder (failover)
    await producer.send(t.scores, [{ key: 'db|up', value: JSON.stringify(scores(T0 + 60 * S, T0 + 121 * S, 1)) }]);
    const failover = await waitFor(
      'the new leader to fail over',
      () => actions.find((x) => x.decision === 'executed' && x.strategy === 'failover'),
      30_000,
    );
    expect(failover).toMatchObject({ engine: 'heal-b', fencingToken: tokenB, target: 'db', attempt: 2 });
    expect(failover.reasons.join('\n')).toMatch(/registry: db-b promoted primary of data/);

    // db is back: the failover is verified
    await producer.send(t.scores, [{ key: 'db|up', value: JSON.stringify(scores(T0 + 122 * S, T0 + 140 * S, 0)) }]);
    await waitFor('the failover outcome', () => outcomes.find((o) => o.actionId === failover.id), 30_000);
    await new Promise((r) => setTimeout(r, 1500)); // anything late (a duplicate) would show up by now

    const failed = outcomes.filter((o) => o.actionId === restart.id);
    const recovered = outcomes.filter((o) => o.actionId === failover.id);
    expect(failed.map((o) => o.success)).toEqual([false]);
    expect(recovered.map((o) => o.success)).toEqual([true]);

    // exactly once at the managed system: two actions, each applied once, by the leadership of its time
    const applied = lines(join(dir, 'applied'));
    const deliveries = lines(join(dir, 'deliveries'));
    expect(applied.map((x) => [x.id, x.strategy, x.token])).toEqual([
      [restart.id, 'restart', tokenA],
      [failover.id, 'failover', tokenB],
    ]);
    expect(new Set(applied.map((x) => x.id)).size).toBe(applied.length);
    // executed records: one per action id (the standby never re-ran the restart)
    const executed = actions.filter((x) => x.decision === 'executed');
    expect(executed.map((x) => x.id)).toEqual([restart.id, failover.id]);

    process.stderr.write(
      `[heal-service] takeover after SIGKILL: ${takeoverMs} ms (TTL ${TTL} s); actions applied ${applied.length}, ` +
        `deliveries ${deliveries.length}, duplicates applied 0; outcomes ${outcomes.length}\n`,
    );
    await producer.disconnect();
  });
});
