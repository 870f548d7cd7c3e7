import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { DLQ_HEADERS } from '../contracts/topics.js';

/** Why and where a message was dead-lettered. */
export interface DeadLetterInfo {
  /** topic, partition and offset the original message was read from */
  topic: string;
  partition: number;
  offset: string;
  /** validation error text naming the field(s), or the processing error */
  error: string;
  /** the pipeline stage that rejected it, e.g. 'detect' */
  stage: string;
  /** when it was rejected (ISO 8601, wall clock) */
  at: string;
}

/**
 * The dead-letter copy of a consumed message: key and value are the original bytes, verbatim;
 * the original headers are kept, and the DLQ_HEADERS say where it came from and why it was rejected.
 */
export function deadLetterMessage(
  original: Pick<KafkaMessage, 'key' | 'value' | 'headers'>,
  info: Omit<DeadLetterInfo, 'at'> & { at?: Date },
): Message {
  const headers: IHeaders = {};
  for (const [k, v] of Object.entries(original.headers ?? {})) if (v !== undefined) headers[k] = v;
  headers[DLQ_HEADERS.topic] = info.topic;
  headers[DLQ_HEADERS.partition] = String(info.partition);
  headers[DLQ_HEADERS.offset] = info.offset;
  headers[DLQ_HEADERS.error] = info.error;
  headers[DLQ_HEADERS.stage] = info.stage;
  headers[DLQ_HEADERS.at] = (info.at ?? new Date()).toISOString();
  return { key: original.key ?? null, value: original.value ?? null, headers };
}

function headerText(h: IHeaders | undefined, name: string): string | undefined {
  const v = h?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

/** Read the dead-letter headers back from a message consumed from the DLQ (null if it has none). */
export function readDeadLetter(message: Pick<KafkaMessage, 'headers'>): DeadLetterInfo | null {
  const h = message.headers;
  const topic = headerText(h, DLQ_HEADERS.topic);
  const partition = headerText(h, DLQ_HEADERS.partition);
  const offset = headerText(h, DLQ_HEADERS.offset);
  if (topic === undefined || partition === undefined || offset === undefined) return null;
  return {
    topic,
    partition: Number(partition),
    offset,
    error: headerText(h, DLQ_HEADERS.error) ?? '',
    stage: headerText(h, DLQ_HEADERS.stage) ?? '',
    at: headerText(h, DLQ_HEADERS.at) ?? '',
  };
}
