/** Kubernetes-style restart back-off, in data time: 10 s doubling to a 5-minute cap, reset after 10 healthy minutes. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/**
 * The wait required after the `n`-th consecutive restart before the next one: 0 before the first,
 * then initial, 2 × initial, 4 × initial ... capped at max (10 s, 20 s, 40 s ... 300 s).
 */
export function backoffDelay(policy: BackoffPolicy, consecutiveRestarts: number): number {
  if (consecutiveRestarts <= 0) return 0;
  const exp = Math.min(consecutiveRestarts - 1, 40);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exp);
}

/** The earliest data time of the next restart, given the consecutive restarts so far and the last one's time. */
export function nextRestartAt(
  policy: BackoffPolicy,
  consecutiveRestarts: number,
  lastRestartAt: number | undefined,
): number {
  if (lastRestartAt === undefined) return Number.NEGATIVE_INFINITY;
  return lastRestartAt + backoffDelay(policy, consecutiveRestarts);
}
