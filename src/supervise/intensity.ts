/**
 * Erlang/OTP restart intensity: a supervisor may restart its children at most `maxRestarts` times
 * within any `periodMs`; one restart more means restarting does not help (the fault is not
 * transient), so the supervisor gives up instead of looping. Pure: the caller passes the time.
 */
export interface IntensityLimit {
  maxRestarts: number;
  periodMs: number;
}

export class IntensityLimitError extends Error {
  readonly retriable = false;
  override readonly name = 'IntensityLimitError';
}

export function validateLimit(limit: IntensityLimit): IntensityLimit {
  if (!Number.isInteger(limit.maxRestarts) || limit.maxRestarts < 0)
    throw new IntensityLimitError(`restart intensity: maxRestarts must be an integer >= 0, got ${limit.maxRestarts}`);
  if (!Number.isFinite(limit.periodMs) || limit.periodMs <= 0)
    throw new IntensityLimitError(`restart intensity: periodMs must be > 0, got ${limit.periodMs}`);
  return limit;
}

export interface IntensityDecision {
  /** the restart may go ahead (and was recorded) */
  ok: boolean;
  /** restarts within the period ending now, this one included */
  inPeriod: number;
}

export class RestartIntensity {
  private times: number[] = [];
  readonly limit: IntensityLimit;

  constructor(limit: IntensityLimit) {
    this.limit = validateLimit(limit);
  }

  /** a child needs a restart at `now`: allowed when the restarts within (now - period, now] stay <= maxRestarts */
  request(now: number): IntensityDecision {
    const from = now - this.limit.periodMs;
    this.times = this.times.filter((t) => t > from);
    const inPeriod = this.times.length + 1;
    if (inPeriod > this.limit.maxRestarts) return { ok: false, inPeriod };
    this.times.push(now);
    return { ok: true, inPeriod };
  }

  /** restarts recorded within the period ending at `now` */
  recent(now: number): number {
    const from = now - this.limit.periodMs;
    return this.times.filter((t) => t > from).length;
  }
}

/** "3 restarts in 10 s" */
export function describeLimit(limit: IntensityLimit): string {
  const s = limit.periodMs / 1000;
  return `${limit.maxRestarts} restart${limit.maxRestarts === 1 ? '' : 's'} in ${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
