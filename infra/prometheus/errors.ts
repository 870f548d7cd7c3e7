/** A Debian binary the Prometheus tests need is missing; installing it is the fix (retrying is not). */
export class PrometheusPrerequisiteError extends Error {
  readonly retriable = false;
  override readonly name = 'PrometheusPrerequisiteError';
}

/** A daemon did not become ready; its log tail is in the message. Another try may work (ports, load). */
export class DaemonStartError extends Error {
  readonly retriable = true;
  override readonly name = 'DaemonStartError';
}
