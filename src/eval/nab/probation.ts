/** NAB's share of each file given to detectors for learning and left out of scoring. */
export const PROBATIONARY_PERCENT = 0.15;

/**
 * Rows `0 .. probationaryLength(n)-1` are probationary: `min(floor(pct·n), pct·5000)`
 * (nab/sweeper.py `_getProbationaryLength`). May be fractional when the cap applies with an
 * unusual pct; rows with index `< length` are probationary.
 */
export function probationaryLength(numRows: number, percent = PROBATIONARY_PERCENT): number {
  return Math.min(Math.floor(percent * numRows), percent * 5000);
}
