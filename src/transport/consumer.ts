import { setMaxListeners } from 'node:events';
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { describeError, isRetriable } from './errors.js';
import { type Log, silentLog } from './log.js';
import { PartitionTracker, tpKey } from './partition-tracker.js';

/** A slice of one fetched batch handed to the handler. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /**
   * true: these messages were processed and committed before (this process is rebuilding the
   * partition's state after a restart or reassignment) — update state only, emit nothing.
   */
  replay: boolean;
}

/** Returned by a pipelined handler: resolves when the slice's outputs are acknowledged. */
export interface Delivery {
  delivered: Promise<void>;
}

export interface BatchContext {
  /** keep the group membership alive during long work (cheap: throttled to heartbeatInterval) */
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  /** aborted when stop() was called and the grace period is over: give up waiting, throw */
  signal: AbortSignal;
}

export interface RunConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** where a group without committed offsets starts (default true: the earliest offset) */
  fromBeginning?: boolean;
  /**
   * Process one batch slice. Either resolve once every output of the slice is acknowledged by the
   * broker (its offsets are committed right after), or — pipelined — resolve early with
   * `{ delivered }`, a promise that resolves once the outputs are acknowledged: consumption goes on
   * meanwhile and the offsets are committed when `delivered` resolves, in order per partition.
   * `delivered` must not reject except when the runner is stopping (the handler owns delivery
   * retries); a rejection leaves that batch and the later ones of its partition uncommitted.
   * A rejection of `handle` itself is retried with exponential back-off (heartbeating meanwhile),
   * so the handler must be safe to call again with the same slice.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a plain `async (batch) => { ... }` handler returns Promise<void>
  handle(batch: ConsumedBatch, ctx: BatchContext): Promise<void | Delivery>;
  /**
   * Called when a slice failed with a non-retriable error `poisonAfter` times in a row: e.g.
   * dead-letter its messages. When it resolves the offsets are committed and consumption goes on;
   * without it the slice is retried forever (the partition stalls, the process stays up).
   */
  onPoisonBatch?(batch: ConsumedBatch, error: unknown, ctx: BatchContext): Promise<void>;
  /** state derived from this partition is invalid (newly assigned, revoked, offsets jumped): drop it */
  onPartitionReset?(topic: string, partition: number, reason: string): void;
  /**
   * Warm start of a cold partition (after `onPartitionReset`): restore the partition's state from a
   * checkpoint and return the offset it resumes from — the first input offset the restored state
   * does NOT cover. Messages in [from, committed) are then handed over with `replay: true` (state
   * only), live processing goes on from `committed`. `committed` is where the group resumes (the
   * first offset fetched). Return null when there is no usable checkpoint: the partition is then
   * rebuilt as without this hook (`replayOnResume`). Must not throw (fall back to null instead).
   */
  restore?(topic: string, partition: number, committed: string, ctx: BatchContext): Promise<{ from: string } | null>;
  /** an offset commit succeeded: every message of the partition below `offset` is processed and delivered */
  onCommitted?(topic: string, partition: number, offset: string): void;
  /** a rebalance started: this member is about to lose (eager protocol) its partitions */
  onRebalancing?(): void;
  /**
   * stop(): called once the batches in progress finished and their commits settled, while this
   * member still holds its partitions (before leaving the group) — e.g. a final checkpoint.
   */
  beforeLeave?(): Promise<void>;
  /**
   * On a cold partition that resumes from a committed offset, re-read it from the earliest retained
   * offset and hand the already-committed messages over with `replay: true` (default false).
   */
  replayOnResume?: boolean;
  partitionsConsumedConcurrently?: number;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
  minBytes?: number;
  maxWaitTimeInMs?: number;
  retry?: { initialDelayMs?: number; maxDelayMs?: number; poisonAfter?: number };
  /** on stop(), how long the batch in progress may take before `ctx.signal` aborts it (default 10 s) */
  stopGraceMs?: number;
  /** pipelined handlers: batches per partition whose delivery may be outstanding (default 3) */
  maxPendingPerPartition?: number;
  log?: Log;
}

export interface ConsumerStats {
  batches: number;
  messages: number;
  replayedMessages: number;
  commits: number;
  commitFailures: number;
  retries: number;
  poisonBatches: number;
  rebuilds: number;
  /** cold partitions resumed from a checkpoint (`restore`) instead of a full rebuild */
  restores: number;
}

export interface ConsumerRunner {
  /** resolves on the first group join (with whatever assignment it got) */
  ready: Promise<void>;
  /** stop consuming: the batch in progress finishes (or is abandoned uncommitted), the group is left */
  stop(): Promise<void>;
  assignedPartitions(): Record<string, number[]>;
  /** messages behind the high watermark over the assigned partitions, as of the last batches */
  lag(): number;
  stats(): ConsumerStats;
  /** bumped on every group join: work captured under an older generation may belong to another member now */
  generation(): number;
}

const DONE: Promise<void> = Promise.resolve();

const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
  'FENCED_INSTANCE_ID',
]);

function errorType(e: unknown): string {
  return typeof e === 'object' && e !== null && 'type' in e ? String((e as { type: unknown }).type) : '';
}

/**
 * A consumer-group runner with at-least-once delivery: `eachBatch`, no auto-resolve, no
 * auto-commit; each batch's offsets are committed only after its outputs are acknowledged (the
 * handler resolved, or its `delivered` promise did), in offset order per partition. Delivery can be
 * pipelined (the next batches are fetched and processed while earlier outputs are in flight).
 * A failing handler is retried with back-off and never kills the process.
 */
export async function runConsumer(opts: RunConsumerOptions): Promise<ConsumerRunner> {
  const log = opts.log ?? silentLog;
  const initialDelay = opts.retry?.initialDelayMs ?? 200;
  const maxDelay = opts.retry?.maxDelayMs ?? 10_000;
  const poisonAfter = Math.max(1, opts.retry?.poisonAfter ?? 3);
  const heartbeatInterval = opts.heartbeatInterval ?? 1_000;
  const maxPending = Math.max(1, opts.maxPendingPerPartition ?? 3);
  const stats: ConsumerStats = {
    batches: 0,
    messages: 0,
    replayedMessages: 0,
    commits: 0,
    commitFailures: 0,
    retries: 0,
    poisonBatches: 0,
    rebuilds: 0,
    restores: 0,
  };
  const tracker = new PartitionTracker();
  const lags = new Map<string, number>();
  let assignment: Record<string, number[]> = {};
  let running = true;
  const abort = new AbortController();
  // every pending delivery listens to it
  setMaxListeners(0, abort.signal);
  let admin: Admin | null = null;

  const consumer: Consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeout ?? 10_000,
    rebalanceTimeout: opts.rebalanceTimeout ?? 30_000,
    heartbeatInterval,
    maxBytesPerPartition: opts.maxBytesPerPartition ?? 1_048_576,
    maxBytes: opts.maxBytes ?? 10_485_760,
    minBytes: opts.minBytes ?? 1,
    maxWaitTimeInMs: opts.maxWaitTimeInMs ?? 250,
    allowAutoTopicCreation: false,
    retry: { retries: 10, restartOnFailure: async () => running },
  });

  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assignment = e.payload.memberAssignment;
    epoch++;
    for (const { topic, partition } of tracker.retain(assignment)) {
      lags.delete(tpKey(topic, partition));
      opts.onPartitionReset?.(topic, partition, 'revoked');
    }
    log.info('joined group', {
      group: opts.groupId,
      generation: (e.payload as { generationId?: number }).generationId,
      assignment: Object.entries(assignment)
        .map(([t, ps]) => `${t}:[${ps.join(',')}]`)
        .join(' '),
    });
    markReady();
  });
  consumer.on(consumer.events.REBALANCING, () => {
    if (running) opts.onRebalancing?.();
  });
  consumer.on(consumer.events.CRASH, (e) => {
    log.error('consumer crashed', { error: describeError(e.payload.error), restart: e.payload.restart });
  });

  const sleep = async (ms: number, heartbeat: () => Promise<void>) => {
    const until = Date.now() + ms;
    while (running && Date.now() < until) {
      await heartbeat();
      await new Promise<void>((r) => setTimeout(r, Math.min(heartbeatInterval, until - Date.now(), 1_000)));
    }
  };

  const lowWatermark = async (topic: string, partition: number): Promise<bigint> => {
    if (!admin) {
      admin = opts.kafka.admin();
      await admin.connect();
    }
    const rows = await admin.fetchTopicOffsets(topic);
    const row = rows.find((r) => r.partition === partition);
    return BigInt(row?.low ?? '0');
  };

  /**
   * Run the handler (or, for a poison slice, the poison hook) until it succeeds: its delivery
   * (already done for a non-pipelined handler), or null if stopped first.
   */
  const process = async (slice: ConsumedBatch, ctx: BatchContext): Promise<Delivery | null> => {
    let failures = 0;
    let poisoned: unknown = null;
    for (;;) {
      if (!running) return null;
      try {
        if (poisoned !== null && opts.onPoisonBatch) {
          await opts.onPoisonBatch(slice, poisoned, ctx);
          stats.poisonBatches++;
          return { delivered: DONE };
        }
        // (wrapped: awaiting a promise that resolves to a promise would wait for the delivery too)
        const r = await opts.handle(slice, ctx);
        return r ? { delivered: r.delivered } : { delivered: DONE };
      } catch (e) {
        if (!running) return null;
        failures++;
        stats.retries++;
        const retriable = isRetriable(e);
        if (!retriable && poisoned === null && failures >= poisonAfter && opts.onPoisonBatch) {
          log.error('batch keeps failing with a non-retriable error; handing it to the poison handler', {
            topic: slice.topic,
            partition: slice.partition,
            from: slice.messages[0]?.offset,
            error: describeError(e),
          });
          poisoned = e;
          failures = 0;
          continue;
        }
        const delay = Math.min(maxDelay, initialDelay * 2 ** Math.min(failures - 1, 20)) * (0.75 + Math.random() / 2);
        log.warn('batch failed; retrying', {
          topic: slice.topic,
          partition: slice.partition,
          from: slice.messages[0]?.offset,
          attempt: failures,
          retriable,
          delayMs: Math.round(delay),
          error: describeError(e),
        });
        await sleep(delay, ctx.heartbeat);
      }
    }
  };

  /** commit through the consumer group directly (works while stopping, unlike consumer.commitOffsets) */
  let commitFn: EachBatchPayload['commitOffsetsIfNecessary'] | null = null;
  const commit = async (topic: string, partition: number, offset: string) => {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!commitFn) throw new Error('no batch seen yet');
        await commitFn({ topics: [{ topic, partitions: [{ partition, offset }] }] });
        stats.commits++;
        opts.onCommitted?.(topic, partition, offset);
        return;
      } catch (e) {
        const type = errorType(e);
        if (REBALANCE_ERRORS.has(type) || attempt >= 3 || !isRetriable(e)) {
          stats.commitFailures++;
          log.info('offset commit failed; the partition will be re-read from the last commit (at-least-once)', {
            topic,
            partition,
            offset,
            error: describeError(e),
          });
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  };

  const eachBatch = (payload: EachBatchPayload): Promise<void> => {
    commitFn = payload.commitOffsetsIfNecessary;
    const p = handleBatch(payload);
    inHandler.add(p);
    return p.finally(() => inHandler.delete(p));
  };

  const handleBatch = async (payload: EachBatchPayload) => {
    const { batch } = payload;
    const { topic, partition } = batch;
    if (!running || !payload.isRunning() || payload.isStale()) return;
    const first = batch.firstOffset();
    if (first === null) return;
    const ctx: BatchContext = {
      heartbeat: async () => {
        try {
          await payload.heartbeat();
        } catch (e) {
          log.debug('heartbeat failed (a rebalance is probably under way)', { error: describeError(e) });
        }
      },
      isRunning: () => running && payload.isRunning(),
      signal: abort.signal,
    };

    const state = tracker.check(topic, partition, first);
    let restored = false;
    if (state.cold && opts.restore) {
      opts.onPartitionReset?.(topic, partition, state.reason);
      const r = await opts.restore(topic, partition, first, ctx);
      if (!running) return;
      if (r !== null) {
        let from = BigInt(r.from);
        const committed = BigInt(first);
        if (from < committed) {
          let low: bigint | null = null;
          try {
            low = await lowWatermark(topic, partition);
          } catch (e) {
            log.warn('could not read the earliest offset', { topic, partition, error: describeError(e) });
          }
          if (low !== null && from < low) {
            log.warn('checkpoint is older than the retained input: the messages in between are gone', {
              topic,
              partition,
              checkpoint: from,
              earliest: low,
            });
            from = low;
          }
        }
        stats.restores++;
        if (from < committed) {
          log.info('resuming partition from its checkpoint', { topic, partition, from, until: first });
          tracker.start(topic, partition, from, committed);
          consumer.seek({ topic, partition, offset: from.toString() });
          return;
        }
        tracker.start(topic, partition, from);
        restored = true;
        if (from > committed) {
          consumer.seek({ topic, partition, offset: from.toString() });
          return;
        }
        // from === committed: this batch is live
      }
    }
    if (state.cold && !restored) {
      let low: bigint | null = null;
      for (let attempt = 1; opts.replayOnResume && low === null; attempt++) {
        if (!running) return;
        try {
          low = await lowWatermark(topic, partition);
        } catch (e) {
          log.warn('could not read the earliest offset; retrying', { topic, partition, error: describeError(e) });
          await sleep(Math.min(maxDelay, initialDelay * 2 ** Math.min(attempt - 1, 20)), ctx.heartbeat);
        }
      }
      if (!opts.restore) opts.onPartitionReset?.(topic, partition, state.reason);
      if (low !== null && low < BigInt(first)) {
        stats.rebuilds++;
        log.info('rebuilding partition state by replay', { topic, partition, from: low, until: first });
        tracker.start(topic, partition, low, first);
        consumer.seek({ topic, partition, offset: low.toString() });
        return;
      }
      tracker.start(topic, partition, first);
    }

    const { replay, live } = tracker.split(topic, partition, batch.messages);
    let delivered: Promise<void> = DONE;
    if (replay.length > 0) {
      const d = await process({ topic, partition, messages: replay, replay: true }, ctx);
      if (d === null) return;
      stats.replayedMessages += replay.length;
      delivered = d.delivered;
    }
    if (live.length > 0) {
      const d = await process({ topic, partition, messages: live, replay: false }, ctx);
      if (d === null) return;
      stats.messages += live.length;
      delivered = delivered === DONE ? d.delivered : Promise.all([delivered, d.delivered]).then(() => undefined);
    }
    stats.batches++;
    const last = batch.lastOffset();
    tracker.advance(topic, partition, last);
    payload.resolveOffset(last);
    lags.set(tpKey(topic, partition), Math.max(0, Number(batch.highWatermark) - Number(last) - 1));
    // commit once delivered, in order per partition; only what is live: during a replay the
    // group's committed offset is already ahead
    const live_ = !tracker.replaying(topic, partition);
    await enqueueCommit(topic, partition, live_ ? (BigInt(last) + 1n).toString() : null, delivered, ctx);
    await ctx.heartbeat();
  };

  /** per partition: the chain of commits waiting for their batch's delivery */
  interface Chain {
    epoch: number;
    tail: Promise<void>;
    pending: Array<Promise<void>>;
    broken: boolean;
  }
  const chains = new Map<string, Chain>();
  let epoch = 0;
  const inHandler = new Set<Promise<void>>();

  const enqueueCommit = async (
    topic: string,
    partition: number,
    offset: string | null,
    delivered: Promise<void>,
    ctx: BatchContext,
  ) => {
    const key = tpKey(topic, partition);
    let chain = chains.get(key);
    if (!chain || chain.epoch !== epoch) {
      // a new generation: commits still queue behind the previous generation's (offset order)
      chain = { epoch, tail: chain ? chain.tail.catch(() => undefined) : DONE, pending: [], broken: false };
      chains.set(key, chain);
    }
    const c = chain;
    const step = c.tail.then(async () => {
      try {
        await delivered;
      } catch (e) {
        // only when stopping: this batch and the later ones of the partition stay uncommitted
        c.broken = true;
        log.debug('delivery abandoned; offsets not committed', { topic, partition, error: describeError(e) });
        return;
      }
      if (c.broken || offset === null) return;
      if (c.epoch !== epoch && !assignedNow(topic, partition)) return; // revoked meanwhile
      await commit(topic, partition, offset);
    });
    c.tail = step;
    c.pending.push(step);
    void step.finally(() => {
      const i = c.pending.indexOf(step);
      if (i >= 0) c.pending.splice(i, 1);
    });
    // back-pressure: at most maxPending outstanding deliveries per partition
    while (c.pending.length > maxPending && running) {
      await Promise.race([c.pending[0], new Promise((r) => setTimeout(r, heartbeatInterval))]);
      await ctx.heartbeat();
    }
  };

  const assignedNow = (topic: string, partition: number) => assignment[topic]?.includes(partition) ?? false;

  /** every commit chain settled (or the grace period over) */
  const drainChains = async (graceMs: number) => {
    const all = [...chains.values()].map((c) => c.tail);
    await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, graceMs))]);
  };

  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 8,
    eachBatch,
  });

  let stopping: Promise<void> | null = null;
  return {
    ready,
    stop() {
      stopping ??= (async () => {
        running = false;
        // stop fetching, let the batches in progress finish, wait for their deliveries and commits
        // (at most `stopGraceMs`; then ctx.signal aborts what still waits, left uncommitted and
        // re-read by the next owner), then leave the group
        const graceMs = opts.stopGraceMs ?? 10_000;
        const grace = setTimeout(() => abort.abort(), graceMs);
        try {
          consumer.pause(opts.topics.map((topic) => ({ topic })));
        } catch {
          // not running yet
        }
        const started = Date.now();
        await Promise.race([Promise.all([...inHandler]), new Promise((r) => setTimeout(r, graceMs))]);
        await drainChains(Math.max(0, graceMs - (Date.now() - started)));
        clearTimeout(grace);
        if (opts.beforeLeave) {
          try {
            await opts.beforeLeave();
          } catch (e) {
            log.warn('before-leave hook failed', { error: describeError(e) });
          }
        }
        abort.abort();
        await consumer.disconnect();
        const a = admin as Admin | null;
        if (a) await a.disconnect();
      })();
      return stopping;
    },
    assignedPartitions: () => structuredClone(assignment),
    lag: () => {
      let n = 0;
      for (const v of lags.values()) n += v;
      return n;
    },
    stats: () => ({ ...stats }),
    generation: () => epoch,
  };
}
