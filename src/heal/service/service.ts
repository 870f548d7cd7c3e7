import type { Kafka, KafkaMessage } from 'kafkajs';
import type { HealApi } from '../../api/heal.js';
import type { PipelineConfig } from '../../config/pipeline.js';
import type { Coordinator, CoordinatorStatus } from '../../coord/types.js';
import { ensureTopics } from '../../transport/admin.js';
import { type BatchContext, type ConsumedBatch, type ConsumerRunner, runConsumer } from '../../transport/consumer.js';
import { deadLetterMessage } from '../../transport/dlq.js';
import { describeError, StoppedError } from '../../transport/errors.js';
import { type Log, silentLog } from '../../transport/log.js';
import { type BatchedProducer, createProducer } from '../../transport/producer.js';
import type { Actuator } from '../actuators/actuator.js';
import { createHealEngine, type HealEngine, type HealRecord, type HealStatus, type HealStep } from '../engine.js';
import { ApprovalNotFoundError, HealError } from '../errors.js';
import { type HealTopics, healerOf, healTopicsOf } from './config.js';
import { coordinatorFor } from './coordinator.js';
import { HeldOutcomes } from './held-outcomes.js';
import { decodeInput, type HealInput } from './inputs.js';
import { OperatorDecisions, operatorDecision } from './operator.js';
import { PredictionWarnings } from './predictions.js';
import { deliverUntilAcked, emptyOutbox, type Outbox, topicMessagesOf } from './publisher.js';
import { seekNewGroup } from './start-offsets.js';

export const DLQ_STAGE = 'heal';

/** The service is stopping: the call was not made. Retriable (another engine, or this one restarted, takes it). */
export class HealServiceStoppingError extends HealError {
  readonly retriable = true;
  override readonly name = 'HealServiceStoppingError';
  constructor() {
    super('the heal service is stopping');
  }
}

export interface HealServiceOptions {
  kafka: Kafka;
  pipeline: PipelineConfig;
  /** default: etcd when the pipeline's `coordinator:` names it, else embedded (see coordinatorFor) */
  coordinator?: Coordinator;
  /** this engine's id when the coordinator is made here */
  id?: string;
  /** etcd endpoints overriding the pipeline (when the coordinator is made here) */
  etcdEndpoints?: string[];
  log?: Log;
  /** actuators by name replacing the configured ones (tests, simulators) */
  actuators?: Record<string, Actuator>;
  /** every record the engine produces, as it produces it (API hub, metrics) */
  onRecord?: (r: HealRecord) => void;
  /** create the topics it reads and writes if missing (default true) */
  ensureTopics?: boolean;
  /** consumer group session timeout (default 10 s) */
  sessionTimeout?: number;
}

export interface HealServiceStatus {
  id: string;
  groupId: string;
  engine: HealStatus;
  coordinator: CoordinatorStatus;
  /** messages consumed per input kind */
  consumed: Record<HealInput['kind'], number>;
  deadLettered: number;
  /** inputs the engine failed on (dead-lettered with the reason) */
  engineErrors: number;
  published: { actions: number; outcomes: number };
  /** outcomes this standby verified and holds until the leader's show up (or it takes over) */
  heldOutcomes: number;
  /** messages behind the high watermark on its inputs */
  lag: number;
}

export interface HealService {
  readonly id: string;
  readonly engine: HealEngine;
  readonly coordinator: Coordinator;
  /** the engine for the API: approvals and rejections are published like every other record */
  readonly api: HealApi;
  /** resolves once the consumer joined its group */
  readonly ready: Promise<void>;
  status(): HealServiceStatus;
  /** stops consuming (the batch in progress is finished and committed), resigns leadership, disconnects */
  stop(): Promise<void>;
}

/**
 * The heal engine as a Kafka process. It reads anomalies, predictions (as warnings), scores (for
 * verification and load figures), the actions topic (a standby keeps in step with the leader's
 * executed actions; operators' decisions) and the outcomes topic; writes every Action record to the
 * actions topic and every Outcome to the outcomes topic, and commits its input offsets only once those
 * are acknowledged. A message that breaks its contract, or that the engine fails on, goes to the DLQ
 * with the reason; the service never stops for bad input.
 *
 * Only the coordinator's leader acts (the engine's leadership gate); action ids are deterministic and
 * actuators check fencing tokens, so two engines never apply an action twice. A standby verifies the
 * leader's actions too but holds its outcomes back (HeldOutcomes) and publishes them only if it takes
 * over before the leader's appear.
 *
 * Each engine reads every input, so each has a consumer group of its own: `<healer.groupId>.<id>`. A
 * new group starts `healer.lookback` before now; engine state is in memory (a restarted engine resumes
 * from its committed offsets with a fresh state — with etcd, its standby carries the incidents on).
 */
export async function startHealService(opts: HealServiceOptions): Promise<HealService> {
  const { kafka, pipeline } = opts;
  const log = opts.log ?? silentLog;
  const healer = healerOf(pipeline);
  const topics: HealTopics = healTopicsOf(pipeline);
  const owned = opts.coordinator === undefined;
  const coordinator =
    opts.coordinator ??
    coordinatorFor(pipeline, {
      ...(opts.id ? { id: opts.id } : {}),
      ...(opts.etcdEndpoints ? { endpoints: opts.etcdEndpoints } : {}),
      log: (m) => log.info(m),
    });
  const id = coordinator.id;
  const groupId = `${healer.groupId}.${id}`;
  const engine = createHealEngine({
    config: pipeline.heal,
    coordinator,
    ...(opts.actuators ? { actuators: opts.actuators } : {}),
    ...(opts.onRecord ? { onRecord: opts.onRecord } : {}),
    log: (m) => log.info(m),
  });
  const warnings = new PredictionWarnings(healer.predictionThreshold, healer.predictionHysteresis);
  const held = new HeldOutcomes();
  const decisions = new OperatorDecisions();
  const consumed: HealServiceStatus['consumed'] = { anomaly: 0, scores: 0, prediction: 0, action: 0, outcome: 0 };
  const counts = { deadLettered: 0, engineErrors: 0, actions: 0, outcomes: 0 };
  const abort = new AbortController();
  let running = true;

  const inputTopics = [topics.anomalies, topics.predictions, topics.actions, topics.outcomes];
  if (healer.readScores) inputTopics.push(topics.scores);
  if (opts.ensureTopics ?? true) {
    await ensureTopics(
      kafka,
      [...inputTopics, topics.dlq].map((topic) => ({ topic, partitions: pipeline.topics.partitions })),
      { log },
    );
  }
  const producer: BatchedProducer = createProducer(kafka, { log });
  await producer.connect();

  /** the step's records into the outbox: outcomes only while leading (a standby holds its own back) */
  const collect = (step: HealStep, box: Outbox) => {
    box.actions.push(...step.actions);
    for (const o of step.outcomes) {
      if (coordinator.isLeader()) {
        box.outcomes.push(o);
        held.seen(o.actionId);
      } else {
        held.hold(o);
      }
    }
  };

  const publish = async (box: Outbox, signal: AbortSignal) => {
    await deliverUntilAcked(producer, topicMessagesOf(topics, box), { signal, log });
    counts.actions += box.actions.length;
    counts.outcomes += box.outcomes.length;
    counts.deadLettered += box.deadLetters.length;
  };

  /** operators' decisions (read from the actions topic) for approvals this engine holds */
  const applyDecisions = async (box: Outbox) => {
    if (!coordinator.isLeader()) return;
    for (const d of decisions.take(engine.pendingApprovals().map((p) => p.id))) {
      try {
        const step =
          d.verb === 'approve'
            ? await engine.approve(d.id, { by: d.by })
            : await engine.reject(d.id, { by: d.by, ...(d.reason ? { reason: d.reason } : {}) });
        collect(step, box);
        log.info(`operator ${d.by}: ${d.verb} ${d.id}`);
      } catch (e) {
        if (!(e instanceof ApprovalNotFoundError)) throw e;
      }
    }
  };

  const apply = async (input: HealInput, box: Outbox) => {
    consumed[input.kind]++;
    switch (input.kind) {
      case 'anomaly':
        collect(await engine.onAnomaly(input.event), box);
        return;
      case 'scores':
        collect(await engine.onScores(input.batch), box);
        return;
      case 'prediction':
        for (const ev of warnings.toEvents(input.prediction)) collect(await engine.onAnomaly(ev), box);
        return;
      case 'action': {
        const d = operatorDecision(input.action);
        if (d) {
          decisions.remember(d);
          await applyDecisions(box);
          return;
        }
        collect(await engine.observeAction(input.action), box);
        return;
      }
      case 'outcome':
        held.seen(input.outcome.actionId);
        collect(await engine.onOutcome(input.outcome), box);
        return;
    }
  };

  const deadLetter = (m: KafkaMessage, batch: ConsumedBatch, error: string) =>
    deadLetterMessage(m, { topic: batch.topic, partition: batch.partition, offset: m.offset, error, stage: DLQ_STAGE });

  const handle = async (batch: ConsumedBatch, ctx: BatchContext): Promise<void> => {
    if (batch.replay) return;
    const box = emptyOutbox();
    let n = 0;
    for (const m of batch.messages) {
      let input: HealInput;
      try {
        input = decodeInput(topics, { topic: batch.topic, partition: batch.partition, offset: m.offset }, m.value);
      } catch (e) {
        box.deadLetters.push(deadLetter(m, batch, (e as Error).message));
        continue;
      }
      try {
        await apply(input, box);
      } catch (e) {
        counts.engineErrors++;
        log.warn('the heal engine failed on an input; dead-lettered', {
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          error: describeError(e),
        });
        box.deadLetters.push(deadLetter(m, batch, `heal engine: ${describeError(e)}`));
      }
      if (++n % 100 === 0) await ctx.heartbeat();
    }
    await publish(box, ctx.signal);
  };

  /** tick, leadership changes and API calls: one at a time, each published before the next */
  let chain: Promise<unknown> = Promise.resolve();
  const background = (what: string, fn: (box: Outbox) => Promise<void>): Promise<void> => {
    const run = chain.then(async () => {
      if (!running) return;
      const box = emptyOutbox();
      await fn(box);
      await publish(box, abort.signal);
    });
    chain = run.catch((e: unknown) => {
      if (!(e instanceof StoppedError || e instanceof ApprovalNotFoundError))
        log.warn(`heal service: ${what} failed`, { error: describeError(e) });
    });
    return run;
  };

  const offLeadership = coordinator.onLeadershipChange((e) => {
    log.info(`heal engine ${id}: ${e.leader ? `leader (token ${e.token})` : 'not leader'}: ${e.reason}`);
    if (!e.leader) return;
    void background('taking over', async (box) => {
      // verdicts the old leader never published are this engine's to publish now
      box.outcomes.push(...held.release());
      collect(await engine.tick(), box);
      await applyDecisions(box);
    }).catch(() => undefined);
  });

  let ticking = false;
  const timer = setInterval(() => {
    if (ticking || !running) return;
    ticking = true;
    void background('tick', async (box) => {
      collect(await engine.tick(), box);
      await applyDecisions(box);
    })
      .catch(() => undefined)
      .finally(() => {
        ticking = false;
      });
  }, healer.tickEvery);
  timer.unref();

  let runner: ConsumerRunner;
  try {
    await seekNewGroup(kafka, groupId, inputTopics, healer.lookback, log);
    runner = await runConsumer({
      kafka,
      groupId,
      topics: inputTopics,
      fromBeginning: false,
      replayOnResume: false,
      // one batch at a time: the engine is serial anyway, and inputs keep their fetch order
      partitionsConsumedConcurrently: 1,
      handle,
      onPoisonBatch: async (batch, error, ctx) => {
        const box = emptyOutbox();
        for (const m of batch.messages)
          box.deadLetters.push(deadLetter(m, batch, `heal service: ${describeError(error)}`));
        await publish(box, ctx.signal);
      },
      ...(opts.sessionTimeout
        ? { sessionTimeout: opts.sessionTimeout, heartbeatInterval: Math.max(300, Math.round(opts.sessionTimeout / 6)) }
        : {}),
      minBytes: 1,
      maxWaitTimeInMs: 100,
      log,
    });
    await coordinator.campaign();
  } catch (e) {
    clearInterval(timer);
    offLeadership();
    await producer.disconnect().catch(() => undefined);
    if (owned) await coordinator.close().catch(() => undefined);
    throw e;
  }
  const liveRunner = runner;
  log.info('heal service started', {
    id,
    group: groupId,
    coordinator: coordinator.backend,
    topics: inputTopics.join(','),
  });

  const api: HealApi = {
    status: () => engine.status(),
    pendingApprovals: () => engine.pendingApprovals(),
    async approve(actionId, by) {
      let out: HealStep | undefined;
      await background('approve', async (box) => {
        out = await engine.approve(actionId, by);
        collect(out, box);
      });
      if (!out) throw new HealServiceStoppingError();
      return out;
    },
    async reject(actionId, by) {
      let out: HealStep | undefined;
      await background('reject', async (box) => {
        out = await engine.reject(actionId, by);
        collect(out, box);
      });
      if (!out) throw new HealServiceStoppingError();
      return out;
    },
  };

  let stopping: Promise<void> | null = null;
  return {
    id,
    engine,
    coordinator,
    api,
    ready: liveRunner.ready,
    status() {
      return {
        id,
        groupId,
        engine: engine.status(),
        coordinator: coordinator.status(),
        consumed: { ...consumed },
        deadLettered: counts.deadLettered,
        engineErrors: counts.engineErrors,
        published: { actions: counts.actions, outcomes: counts.outcomes },
        heldOutcomes: held.size,
        lag: liveRunner.lag(),
      };
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        await liveRunner.stop();
        running = false;
        const grace = setTimeout(() => abort.abort(), 10_000);
        await chain;
        clearTimeout(grace);
        abort.abort();
        offLeadership();
        // resigning hands leadership to a standby at once (no lease expiry to wait for)
        if (owned)
          await coordinator
            .close()
            .catch((e: unknown) => log.warn('closing the coordinator failed', { error: describeError(e) }));
        await producer.disconnect();
        log.info('heal service stopped', { id });
      })();
      return stopping;
    },
  };
}
