import { randomBytes } from 'node:crypto';
import type { Consumer, KafkaMessage } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../../src/config/load.js';
import type { PipelineConfig } from '../../../src/config/pipeline.js';
import { Action, type AnomalyEvent, DLQ_HEADERS, Outcome, SCHEMA_VERSION } from '../../../src/contracts/index.js';
import { parseHealConfig, SimActuator } from '../../../src/heal/index.js';
import { HealerConfig, type HealService, operatorRecord, startHealService } from '../../../src/heal/service/index.js';
import { createKafka } from '../../../src/transport/kafka.js';
import { createProducer } from '../../../src/transport/producer.js';
import { waitFor } from '../../helpers/etcd.js';
import { testBrokers } from '../../helpers/kafka.js';

let service: HealService | undefined;
let consumer: Consumer | undefined;
afterAll(async () => {
  await service?.stop();
  await consumer?.disconnect();
});

function pipelineFor(base: string): PipelineConfig {
  const p = loadPipeline('pipelines/default.yaml', { env: {} });
  return {
    ...p,
    topics: {
      partitions: 1,
      metrics: `${base}.metrics`,
      scores: `${base}.scores`,
      anomalies: `${base}.anomalies`,
      dlq: `${base}.dlq`,
      predictions: `${base}.predictions`,
      actions: `${base}.actions`,
      outcomes: `${base}.outcomes`,
    },
    heal: parseHealConfig({
      correlation: { groupWait: 0 },
      gates: { cooldown: '0s' },
      approval: { mode: 'semi-automatic' },
      policies: { resource_exhaustion: { strategies: ['restart', 'escalate'], learn: false } },
      actuators: [{ kind: 'sim', name: 'sim' }],
    }),
    healer: HealerConfig.parse({ tickEvery: 200, groupId: `${base}.heal` }),
  };
}

const memory = (source: string, ts: number): AnomalyEvent => ({
  v: SCHEMA_VERSION,
  id: `${source}|mem:anomaly:${ts}`,
  state: 'firing',
  ts,
  source,
  metric: 'mem',
  severity: 'warning',
  score: 0.9,
  scores: { zscore: 0.9 },
  value: 97,
  expected: 50,
  lower: 40,
  upper: 60,
  startedAt: ts,
  reason: 'memory high',
  rule: 'anomaly',
});

describe('heal service (in process, embedded coordinator, real Kafka)', () => {
  it('dead-letters bad input with the reason, publishes every record, and takes approvals from the API and from the actions topic', async () => {
    const base = `healsvc-${randomBytes(4).toString('hex')}`;
    const pipeline = pipelineFor(base);
    const kafka = createKafka({ brokers: testBrokers(), clientId: 'heal-service-test' });
    const system = new SimActuator({ name: 'sim' });
    service = await startHealService({ kafka, pipeline, id: 'solo', actuators: { sim: system } });
    await service.ready;
    expect(service.status().coordinator).toMatchObject({ backend: 'embedded', leader: true });

    const actions: Action[] = [];
    const outcomes: Outcome[] = [];
    const dlq: KafkaMessage[] = [];
    consumer = kafka.consumer({ groupId: `${base}.observer` });
    await consumer.connect();
    await consumer.subscribe({
      topics: [`${base}.actions`, `${base}.outcomes`, `${base}.dlq`],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic.endsWith('.dlq')) dlq.push(message);
        else if (topic.endsWith('.actions')) actions.push(Action.parse(JSON.parse(String(message.value))));
        else outcomes.push(Outcome.parse(JSON.parse(String(message.value))));
      },
    });

    const producer = createProducer(kafka);
    await producer.connect();
    const T0 = Date.now();
    await producer.send(`${base}.anomalies`, [
      { key: 'x', value: 'not json' },
      { key: 'x', value: JSON.stringify({ ...memory('api-1', T0), severity: 'loud' }) },
      { key: 'api-1|mem', value: JSON.stringify(memory('api-1', T0)) },
    ]);

    // bad input: dead-lettered with the reason naming the field and where it was read; the service goes on
    await waitFor('two dead letters', () => dlq.length >= 2, 30_000);
    const reasons = dlq.map((m) => String(m.headers?.[DLQ_HEADERS.error]));
    expect(reasons[0]).toMatch(new RegExp(`${base}\\.anomalies\\[0\\]@0: anomaly event: \\(root\\): invalid JSON`));
    expect(reasons[1]).toMatch(/severity/);
    expect(dlq.map((m) => String(m.headers?.[DLQ_HEADERS.stage]))).toEqual(['heal', 'heal']);

    // semi-automatic: proposed, approved through the API handle, executed — each record on the topic
    const proposed = await waitFor('a proposed restart', () => actions.find((a) => a.decision === 'proposed'), 30_000);
    expect(service.api.pendingApprovals().map((p) => p.id)).toEqual([proposed.id]);
    const step = await service.api.approve(proposed.id, { by: 'alice' });
    expect(step.actions.map((a) => a.decision)).toEqual(['approved', 'executed']);
    await waitFor(
      'approved and executed on the topic',
      () => actions.filter((a) => a.id === proposed.id).length >= 3,
      30_000,
    );
    expect(system.applied().map((a) => a.id)).toEqual([proposed.id]);

    // an operator's decision written to the actions topic (an API without the engine) reaches the engine
    await producer.send(`${base}.anomalies`, [{ key: 'api-2|mem', value: JSON.stringify(memory('api-2', T0 + 1000)) }]);
    const second = await waitFor(
      'a second proposal',
      () => actions.find((a) => a.decision === 'proposed' && a.target === 'api-2'),
      30_000,
    );
    await producer.send(`${base}.actions`, [
      { key: second.faultId, value: JSON.stringify(operatorRecord(second, 'approve', 'bob')) },
    ]);
    const done = await waitFor(
      'the second restart executed',
      () => actions.find((a) => a.id === second.id && a.decision === 'executed'),
      30_000,
    );
    expect(done.reasons.join('\n')).toMatch(/approved by bob/);
    expect(system.applied().map((a) => a.id)).toEqual([proposed.id, second.id]);

    // verification: api-1's alarm resolves → a success outcome on the outcomes topic
    await producer.send(`${base}.anomalies`, [
      { key: 'api-1|mem', value: JSON.stringify({ ...memory('api-1', T0 + 5000), state: 'resolved' }) },
    ]);
    const o = await waitFor('the outcome', () => outcomes.find((x) => x.actionId === proposed.id), 30_000);
    expect(o).toMatchObject({ success: true, strategy: 'restart', target: 'api-1' });
    const st = service.status();
    expect(st.deadLettered).toBe(2);
    expect(st.published.outcomes).toBeGreaterThanOrEqual(1);
    await producer.disconnect();
  });
});
