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
}
