/** Typed errors of the local etcd provisioning. `retriable` says whether trying again can help. */

/** The `etcd` binary is missing: retrying cannot help until the machine changes. */
export class EtcdPrerequisiteError extends Error {
  readonly retriable = false;
  override readonly name = 'EtcdPrerequisiteError';
  constructor(
    message: string,
    readonly missing: string[],
  ) {
    super(message);
  }
}

/** A member did not start or the cluster did not become healthy. Carries the tail of the member log. */
export class EtcdStartError extends Error {
  readonly retriable: boolean;
  override readonly name = 'EtcdStartError';
  constructor(
    message: string,
    readonly logFile: string | undefined,
    readonly logTail: string,
    opts: { retriable?: boolean } = {},
  ) {
    const where = logFile ? ` (log: ${logFile})` : '';
    const tail = logTail ? `\n--- last etcd log lines ---\n${logTail}` : '';
    super(`${message}${where}${tail}`);
    this.retriable = opts.retriable ?? true;
  }
}
