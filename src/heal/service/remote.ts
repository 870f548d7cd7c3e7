import { hostname } from 'node:os';
import type { Kafka } from 'kafkajs';
import { createHealRecords, type HealApi, type HealRecords } from '../../api/heal.js';
import type { PipelineConfig } from '../../config/pipeline.js';
import { Action } from '../../contracts/action.js';
import { ensureTopics } from '../../transport/admin.js';
import { runConsumer } from '../../transport/consumer.js';
import { type Log, silentLog } from '../../transport/log.js';
import type { BatchedProducer } from '../../transport/producer.js';
import { parseHealConfig } from '../config.js';
import type { HealStatus } from '../engine.js';
import { ApprovalNotFoundError } from '../errors.js';
import { healerOf, healTopicsOf } from './config.js';
import { OPERATOR_PREFIX, operatorRecord } from './operator.js';
import { actionMessage } from './publisher.js';
import { seekNewGroup } from './start-offsets.js';

const KEEP = 5_000;

export interface RemoteHeal {
  /** for `buildApi({ heal: { engine, records } })` */
  engine: HealApi;
  records: HealRecords;
  stop(): Promise<void>;
}

/**
 * The heal side of an API whose engines run in other processes (`faultline start --workers N`): recent
 * actions and pending approvals are read from the actions topic; an approval or rejection is written
 * there as an operator's decision (`engine: "operator:<key name>"`), which the engine holding the
 * approval applies (a standby that takes over applies it to its own re-proposal of the same action id).
 */
export async function startRemoteHeal(o: {
  kafka: Kafka;
  pipeline: PipelineConfig;
  producer: BatchedProducer;
  log?: Log;
}): Promise<RemoteHeal> {
  const log = o.log ?? silentLog;
  const topics = healTopicsOf(o.pipeline);
  const healer = healerOf(o.pipeline);
  const config = parseHealConfig(o.pipeline.heal);
  const records = createHealRecords();
  /** latest record per action id, in order of last update */
  const latest = new Map<string, Action>();
  let lastEngine = '';
  let dataTime: number | null = null;

  const remember = (a: Action) => {
    latest.delete(a.id);
    latest.set(a.id, a);
    if (latest.size > KEEP) {
      const oldest = latest.keys().next().value;
      if (oldest !== undefined) latest.delete(oldest);
    }
    if (!a.engine.startsWith(OPERATOR_PREFIX)) lastEngine = a.engine;
    dataTime = Math.max(dataTime ?? a.ts, a.ts);
  };

  const pending = () => {
    const plans = new Map<string, Action[]>();
    for (const a of latest.values()) {
      if (a.decision !== 'proposed' || a.mode !== 'semi-automatic' || a.engine.startsWith(OPERATOR_PREFIX)) continue;
      const k = `${a.faultId}#${a.attempt}`;
      const plan = plans.get(k);
      if (plan) plan.push(a);
      else plans.set(k, [a]);
    }
    return [...plans.values()].map((plan) => {
      const first = plan[0] as Action;
      return {
        id: first.id,
        faultId: first.faultId,
        strategy: first.strategy,
        deadline: first.ts + config.approval.timeout,
        plan,
      };
    });
  };

  await ensureTopics(o.kafka, [{ topic: topics.actions, partitions: o.pipeline.topics.partitions }], { log });
  const groupId = `${healer.groupId}.api.${hostname()}.${process.pid}`;
  await seekNewGroup(o.kafka, groupId, [topics.actions], healer.lookback, log);
  const runner = await runConsumer({
    kafka: o.kafka,
    groupId,
    topics: [topics.actions],
    fromBeginning: false,
    handle: async (batch) => {
      for (const m of batch.messages) {
        let json: unknown;
        try {
          json = JSON.parse(m.value?.toString('utf8') ?? '');
        } catch {
          continue; // the engines dead-letter what they cannot read; the API only skips it
        }
        const r = Action.safeParse(json);
        if (!r.success) continue;
        remember(r.data);
        records.publish({ kind: 'action', action: r.data });
      }
    },
    log,
  });

  const decide = async (id: string, verb: 'approve' | 'reject', by: string, reason?: string) => {
    const p = pending().find((x) => x.id === id || x.plan.some((a) => a.id === id));
    if (!p) throw new ApprovalNotFoundError(`no pending approval for action ${id}`);
    const primary = p.plan[0] as Action;
    const rec = operatorRecord(primary, verb, by, reason);
    await o.producer.send(topics.actions, [actionMessage(rec)], { urgent: true });
    remember(rec);
    return { faults: [], actions: [rec], outcomes: [] };
  };

  const engine: HealApi = {
    status(): HealStatus {
      const p = pending();
      return {
        engine: lastEngine || 'heal engines (supervised processes)',
        leader: false,
        safeMode: false,
        reason: 'the heal engines run as supervised processes; this status is read from the actions topic',
        dryRun: config.dryRun,
        // cases live in the engines; GET /v1/supervisor shows whether they run
        openCases: 0,
        inFlight: 0,
        pendingApprovals: p.length,
        dataTime,
      };
    },
    pendingApprovals: pending,
    approve: (id, by) => decide(id, 'approve', by.by),
    reject: (id, by) => decide(id, 'reject', by.by, by.reason),
  };

  return { engine, records, stop: () => runner.stop() };
}
