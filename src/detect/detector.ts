import type { DetectorStatus } from '../contracts/score.js';

/**
 * A streaming detector, in the spirit of River's `learn_one`/`score_one`:
 * a small object whose per-series state is *plain data* (JSON round-trips exactly), so a series
 * can be checkpointed, moved to another worker and resumed with identical scores.
 *
 * One Detector instance (holding only parameters) serves every series; the per-series state lives
 * in the ensemble's series table. `update` scores the point against the state *before* learning
 * from it, then learns (the score of row i depends only on rows <= i). Time comes from `ts`, never
 * from the wall clock. `value` may be NaN/±Infinity (treat as missing: score 0, learn nothing);
 * `ts` may repeat or go backwards (never throw).
 *
 * Hot path: `update` may return the SAME output object on every call (detectors reuse one per
 * instance to stay allocation-free) — read it before the next call, copy it if you keep it.
 */
export interface Detector<S = unknown> {
  /** detector kind, e.g. 'zscore' */
  readonly kind: string;
  /** instance name in the ensemble (defaults to kind) */
  readonly name: string;
  /** a fresh per-series state */
  init(): S;
  /** score then learn; mutates `state` in place and returns the point's score */
  update(state: S, ts: number, value: number): DetectorOutput;
  /**
   * Optional change-point awareness: another detector (CUSUM) established that the series' normal
   * level is now `level` (at `ts`); move the detector's notion of the level there so the new
   * normal stops alarming. Slow-adapting detectors implement it; fast ones need not.
   */
  rebase?(state: S, ts: number, level: number): void;
}

export interface DetectorOutput {
  /** on the common scale (see contracts/score.ts): min(1, -log10(p)/10) */
  score: number;
  /** normal-equivalent deviation in σ, signed (+ above expected), 0 when learning */
  z: number;
  /** expected value (NaN when unknown) */
  expected: number;
  /** half-width of the normal band at the detector's reference level (NaN when unknown) */
  spread: number;
  status: DetectorStatus;
  /** change-point detectors: the new normal level when they re-baselined at this point, else NaN/absent */
  newLevel?: number;
}
