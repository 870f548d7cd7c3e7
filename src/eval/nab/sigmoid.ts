/** NAB's scaled sigmoid (nab/sweeper.py `scaledSigmoid`). */

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Relative position → reward in (-1, 1): -1 (left window edge) → ≈0.98661, 0 → 0, 1 → ≈-0.98661.
 * Positions at or beyond 3 are exactly -1 (NAB's code tests `>= 3.0`).
 */
export function scaledSigmoid(position: number): number {
  if (position >= 3.0) return -1.0;
  return 2 * sigmoid(-5 * position) - 1.0;
}

/** Reward of a detection on a window's first row; TP sweep scores are divided by it. */
export const MAX_TP = scaledSigmoid(-1.0);
