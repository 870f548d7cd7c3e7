/**
 * Typed transport errors. Every error says whether retrying the same operation can help
 * (`retriable`), so callers decide between back-off and dead-lettering without string matching.
 */
export class TransportError extends Error {
  readonly retriable: boolean;
  override readonly cause?: unknown;
  constructor(message: string, opts: { retriable: boolean; cause?: unknown }) {
    super(message);
    this.name = new.target.name;
    this.retriable = opts.retriable;
    this.cause = opts.cause;
  }
}

/** A message could not be decoded or failed schema validation. Never retriable: the bytes won't change. */
export class DecodeError extends TransportError {
  /** dotted paths of the offending fields ('' = the whole message) */
  readonly fields: string[];
  constructor(message: string, fields: string[] = []) {
    super(message, { retriable: false });
    this.fields = fields;
  }
}

/** Producing to the broker failed (after the client's own retries). */
export class ProduceError extends TransportError {}

/** Committing consumer offsets failed (e.g. a rebalance took the partition away). */
export class CommitError extends TransportError {}

/** A topic exists with an incompatible layout, or could not be created. */
export class TopicError extends TransportError {}

/** The consumer or producer was stopped while an operation was waiting. */
export class StoppedError extends TransportError {
  constructor(what = 'operation') {
    super(`${what} aborted: the client is stopping`, { retriable: false });
  }
}

/** kafkajs error names that mean "the broker or network was unavailable for a while": a later retry can help. */
const KAFKAJS_TRANSIENT = new Set([
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSOffsetOutOfRange',
]);

/** Whether retrying after `error` can succeed. Unknown errors (bugs) are not retriable. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof TransportError) return error.retriable;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; retriable?: unknown; cause?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  if (KAFKAJS_TRANSIENT.has(name)) return true;
  if (name.startsWith('KafkaJS')) return e.retriable === true;
  return false;
}

/** A short one-line description of any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
