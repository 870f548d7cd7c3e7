/** Typed errors of the local Kafka provisioning. `retriable` says whether trying again can help. */

/** Java or Maven is missing (or too old): retrying cannot help until the machine changes. */
export class KafkaPrerequisiteError extends Error {
  readonly retriable = false;
  override readonly name = 'KafkaPrerequisiteError';
  constructor(
    message: string,
    readonly missing: string[],
  ) {
    super(message);
  }
}

/** Fetching the broker jars with Maven failed (network, registry): a retry may help. */
export class KafkaFetchError extends Error {
  readonly retriable = true;
  override readonly name = 'KafkaFetchError';
  constructor(
    message: string,
    readonly outputTail: string,
  ) {
    super(outputTail ? `${message}\n--- last Maven output ---\n${outputTail}` : message);
  }
}

/** The broker did not become ready (exited, timed out, port taken). Carries the tail of its log. */
export class KafkaStartError extends Error {
  readonly retriable: boolean;
  /** PID of the broker that failed (already stopped), when one was started. */
  readonly pid: number | undefined;
  override readonly name = 'KafkaStartError';
  constructor(
    message: string,
    readonly logFile: string | undefined,
    readonly logTail: string,
    opts: { retriable?: boolean; pid?: number } = {},
  ) {
    const where = logFile ? ` (log: ${logFile})` : '';
    const tail = logTail
      ? `\n--- last broker log lines ---\n${logTail}`
      : logFile
        ? '\n(the broker log is still empty)'
        : '';
    super(`${message}${where}${tail}`);
    this.retriable = opts.retriable ?? true;
    this.pid = opts.pid;
  }
}
