import type { Strategy } from '../contracts/action.js';
import { backoffDelay, nextRestartAt } from './backoff.js';
import type { HealConfig } from './config.js';
import { intensityAllows, pruneRestarts } from './intensity.js';

/** What the engine remembers per target (plain data). */
export interface TargetState {
  target: string;
  /** restart times within the intensity period */
  restarts: number[];
  /** restarts since the target was last healthy for `resetAfter` (drives the back-off) */
  consecutive: number;
  lastRestartAt: number | undefined;
  /** rungs that failed or may not be used any more in this episode, with the reason */
  exhausted: Map<Strategy, string>;
  /** data time since which the target has been healthy (undefined while failing) */
  healthySince: number | undefined;
}

export type RestartCheck =
  | { ok: true; reason: string }
  | { ok: false; kind: 'intensity'; reason: string }
  | { ok: false; kind: 'backoff'; until: number; reason: string };

/**
 * The escalation ladder's memory per target: OTP restart intensity, Kubernetes back-off, and the rungs
 * exhausted in the current episode. An episode ends when the target stays healthy for `resetAfter`.
 * All times are data time passed in by the caller.
 */
export class TargetLadder {
  private readonly states = new Map<string, TargetState>();

  constructor(private readonly cfg: HealConfig['ladder']) {}

  state(target: string): TargetState {
    let s = this.states.get(target);
    if (!s) {
      s = {
        target,
        restarts: [],
        consecutive: 0,
        lastRestartAt: undefined,
        exhausted: new Map(),
        healthySince: undefined,
      };
      this.states.set(target, s);
    }
    return s;
  }

  /** The target is failing again at `now`; returns true when a long enough healthy spell reset its ladder. */
  failing(target: string, now: number): boolean {
    const s = this.state(target);
    let reset = false;
    if (s.healthySince !== undefined && now - s.healthySince >= this.cfg.resetAfter) {
      s.consecutive = 0;
      s.exhausted.clear();
      reset = true;
    }
    s.healthySince = undefined;
    return reset;
  }

  /** The target is healthy from `now` (a verified recovery or a resolved alarm). */
  healthy(target: string, now: number): void {
    const s = this.state(target);
    if (s.healthySince === undefined) s.healthySince = now;
  }

  /** Whether restarting `target` at `now` respects the intensity and the back-off. */
  checkRestart(target: string, now: number): RestartCheck {
    const s = this.state(target);
    const { ok, count } = intensityAllows(
      { maxRestarts: this.cfg.maxRestarts, periodMs: this.cfg.period },
      s.restarts,
      now,
    );
    if (!ok) {
      return {
        ok: false,
        kind: 'intensity',
        reason: `restart intensity: ${count} restarts within ${this.cfg.period / 1000}s (max ${this.cfg.maxRestarts}): escalate`,
      };
    }
    const at = nextRestartAt(
      { initialMs: this.cfg.backoffInitial, maxMs: this.cfg.backoffMax },
      s.consecutive,
      s.lastRestartAt,
    );
    if (now < at) {
      return {
        ok: false,
        kind: 'backoff',
        until: at,
        reason: `back-off: restart ${s.consecutive + 1} not before ${new Date(at).toISOString()} (${this.delayAfter(s.consecutive) / 1000}s after the last)`,
      };
    }
    return {
      ok: true,
      reason: `restart ${s.consecutive + 1} (${count} within the intensity period, max ${this.cfg.maxRestarts})`,
    };
  }

  private delayAfter(consecutive: number): number {
    return backoffDelay({ initialMs: this.cfg.backoffInitial, maxMs: this.cfg.backoffMax }, consecutive);
  }

  recordRestart(target: string, now: number): void {
    const s = this.state(target);
    s.restarts = pruneRestarts(s.restarts, now, this.cfg.period);
    s.restarts.push(now);
    s.consecutive += 1;
    s.lastRestartAt = now;
  }

  /** Marks a rung as used up for this episode (it failed, or intensity says stop). */
  exhaust(target: string, strategy: Strategy, reason: string): void {
    this.state(target).exhausted.set(strategy, reason);
  }

  exhausted(target: string): ReadonlyMap<Strategy, string> {
    return this.state(target).exhausted;
  }
}
