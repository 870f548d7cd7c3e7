import type { Message } from 'kafkajs';
import type { Action } from '../../contracts/action.js';
import type { Outcome } from '../../contracts/outcome.js';
import { describeError, StoppedError } from '../../transport/errors.js';
import type { Log } from '../../transport/log.js';
import type { BatchedProducer, TopicMessages } from '../../transport/producer.js';
import type { HealTopics } from './config.js';

/** Audit records keyed by fault id: every record of one incident lands on one partition, in order. */
export function actionMessage(a: Action): Message {
  return { key: a.faultId, value: JSON.stringify(a) };
}

export function outcomeMessage(o: Outcome): Message {
  return { key: o.faultId, value: JSON.stringify(o) };
}

/** What one piece of work publishes: audit records, outcomes, dead letters. */
export interface Outbox {
  actions: Action[];
  outcomes: Outcome[];
  deadLetters: Message[];
}

export const emptyOutbox = (): Outbox => ({ actions: [], outcomes: [], deadLetters: [] });

export function topicMessagesOf(topics: HealTopics, box: Outbox): TopicMessages[] {
  const out: TopicMessages[] = [];
  if (box.actions.length > 0) out.push({ topic: topics.actions, messages: box.actions.map(actionMessage) });
  if (box.outcomes.length > 0) out.push({ topic: topics.outcomes, messages: box.outcomes.map(outcomeMessage) });
  if (box.deadLetters.length > 0) out.push({ topic: topics.dlq, messages: box.deadLetters });
  return out;
}

/**
 * Sends until the broker acknowledged everything (acks = all), retrying with back-off (at most 10 s
 * apart); rejects only with StoppedError once `signal` aborts or the producer stops. The records are
 * the engine's decisions: they are never dropped while the service runs.
 */
export async function deliverUntilAcked(
  producer: BatchedProducer,
  messages: TopicMessages[],
  opts: { signal?: AbortSignal; log: Log },
): Promise<void> {
  if (messages.length === 0) return;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw new StoppedError('publishing heal records');
    try {
      await producer.sendBatch(messages, { urgent: true });
      return;
    } catch (e) {
      if (e instanceof StoppedError || opts.signal?.aborted) throw new StoppedError('publishing heal records');
      const delay = Math.min(10_000, 200 * 2 ** Math.min(attempt - 1, 10));
      opts.log.warn('publishing heal records failed; retrying', { attempt, delayMs: delay, error: describeError(e) });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        opts.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve();
          },
          { once: true },
        );
      });
    }
  }
}
