/**
 * Erlang/OTP restart intensity, in data time: at most `maxRestarts` restarts within `periodMs`; one more
 * means restarting does not help, so the supervisor escalates.
 */
export interface IntensityPolicy {
  maxRestarts: number;
  periodMs: number;
}

/** Restarts in the window (now - period, now]. */
export function restartsInPeriod(times: readonly number[], now: number, periodMs: number): number {
  let n = 0;
  for (const t of times) if (t > now - periodMs && t <= now) n += 1;
  return n;
}

/** Whether one more restart at `now` stays within the intensity, and how many the window already holds. */
export function intensityAllows(
  policy: IntensityPolicy,
  times: readonly number[],
  now: number,
): { ok: boolean; count: number } {
  const count = restartsInPeriod(times, now, policy.periodMs);
  return { ok: count + 1 <= policy.maxRestarts, count };
}

/** Drops restart times that can no longer count (older than the period). */
export function pruneRestarts(times: number[], now: number, periodMs: number): number[] {
  return times.filter((t) => t > now - periodMs);
}
