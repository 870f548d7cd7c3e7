/** Bad command-line usage (a missing or invalid option). Exit code 2; retrying cannot help. */
export class UsageError extends Error {
  readonly retriable = false;
  override readonly name = 'UsageError';
}

/** Exit codes: 0 ok, 1 runtime failure (Kafka, Java missing, a bug), 2 bad usage / config / input file. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const USER_INPUT_ERRORS = new Set(['UsageError', 'ConfigError', 'IngestError', 'DetectConfigError']);

/**
 * A typed error says whether a retry can help (`retriable: boolean`): it is an expected failure
 * with a message written for the user, so it is shown without a stack trace.
 */
export function isTypedError(err: unknown): err is Error & { retriable: boolean } {
  return err instanceof Error && typeof (err as { retriable?: unknown }).retriable === 'boolean';
}

export function exitCodeFor(err: unknown): number {
  return err instanceof Error && USER_INPUT_ERRORS.has(err.name) ? EXIT.usage : EXIT.failure;
}

/** Print an error for the user: typed errors as their message only, anything else with its stack. */
export function reportError(err: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (isTypedError(err)) {
    const hint = err.retriable ? ' (temporary: retrying may help)' : '';
    const prefix = err.message.startsWith('faultline') ? '' : 'faultline: ';
    write(`${prefix}${err.message}${hint}\n`);
  } else if (err instanceof Error) {
    write(`faultline: unexpected error: ${err.stack ?? err.message}\n`);
  } else {
    write(`faultline: unexpected error: ${String(err)}\n`);
  }
  return exitCodeFor(err);
}

/** Kafka could not be reached (or refused a request) after the client's own retries. */
export class KafkaUnavailableError extends Error {
  readonly retriable = true;
  override readonly name = 'KafkaUnavailableError';
}

/**
 * Run a step that talks to Kafka; a kafkajs error (connection refused, timeouts, retries
 * exhausted) becomes one clear typed error naming the brokers instead of a stack trace.
 */
export async function talkingToKafka<T>(brokers: string[], what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { name?: unknown; message?: unknown };
    const name = typeof e.name === 'string' ? e.name : '';
    if (name.startsWith('KafkaJS') || name === 'TopicError' || name === 'ProduceError') {
      throw new KafkaUnavailableError(`${what}: Kafka at ${brokers.join(',')}: ${String(e.message)}`, { cause: err });
    }
    throw err;
  }
}
