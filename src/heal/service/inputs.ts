import { Action } from '../../contracts/action.js';
import { AnomalyEvent } from '../../contracts/anomaly.js';
import { Outcome } from '../../contracts/outcome.js';
import { Prediction } from '../../contracts/prediction.js';
import { SeriesScores } from '../../contracts/score.js';
import { decodeJson } from '../../transport/codec.js';
import { DecodeError } from '../../transport/errors.js';
import type { HealTopics } from './config.js';

/** One validated message from a topic the heal service reads. */
export type HealInput =
  | { kind: 'anomaly'; event: AnomalyEvent }
  | { kind: 'scores'; batch: SeriesScores }
  | { kind: 'prediction'; prediction: Prediction }
  | { kind: 'action'; action: Action }
  | { kind: 'outcome'; outcome: Outcome };

/**
 * Decodes a message of `topic` with its contract (zod). Bad JSON or a field that breaks the contract
 * throws DecodeError (not retriable) naming the topic, partition, offset and field, for the DLQ.
 */
export function decodeInput(
  topics: HealTopics,
  where: { topic: string; partition: number; offset: string },
  value: Buffer | null,
): HealInput {
  const at = `${where.topic}[${where.partition}]@${where.offset}`;
  const fail = (error: string, fields: string[]): never => {
    throw new DecodeError(`${at}: ${error}`, fields);
  };
  switch (where.topic) {
    case topics.anomalies: {
      const d = decodeJson(AnomalyEvent, value);
      return d.ok ? { kind: 'anomaly', event: d.value } : fail(`anomaly event: ${d.error}`, d.fields);
    }
    case topics.scores: {
      const d = decodeJson(SeriesScores, value);
      return d.ok ? { kind: 'scores', batch: d.value } : fail(`scores: ${d.error}`, d.fields);
    }
    case topics.predictions: {
      const d = decodeJson(Prediction, value);
      return d.ok ? { kind: 'prediction', prediction: d.value } : fail(`prediction: ${d.error}`, d.fields);
    }
    case topics.actions: {
      const d = decodeJson(Action, value);
      return d.ok ? { kind: 'action', action: d.value } : fail(`action record: ${d.error}`, d.fields);
    }
    case topics.outcomes: {
      const d = decodeJson(Outcome, value);
      return d.ok ? { kind: 'outcome', outcome: d.value } : fail(`outcome: ${d.error}`, d.fields);
    }
    default:
      return fail(`the heal service does not read topic ${where.topic}`, ['(root)']);
  }
}
