/** Split codes of windows. */
export const SPLIT = { train: 0, val: 1, test: 2, dropped: 255 } as const;

export interface SplitBounds {
  /** first and last row ts of the data */
  from: number;
  to: number;
  /** validation starts here; test starts at valEnd */
  trainEnd: number;
  valEnd: number;
}

/** Time boundaries at the given fractions of the data's time range (default 60 % / 20 % / 20 %). */
export function splitBounds(from: number, to: number, fractions: { train: number; val: number }): SplitBounds {
  const span = to - from;
  return { from, to, trainEnd: from + span * fractions.train, valEnd: from + span * (fractions.train + fractions.val) };
}

/**
 * Time-ordered split with purging, so nothing leaks from the future:
 * - a window belongs to a split only if ALL its input rows lie in that split's period,
 * - and its label horizon (end + horizon) ends before the next split begins.
 * Windows straddling a boundary are dropped, and so are the last windows whose horizon runs past the
 * end of the data (their future is unknown). The test split is the held-out tail.
 */
export function assignSplits(start: Float64Array, end: Float64Array, b: SplitBounds, horizonMs: number): Uint8Array {
  const out = new Uint8Array(end.length);
  for (let i = 0; i < end.length; i++) {
    const s = start[i] as number;
    const e = end[i] as number;
    if (e + horizonMs < b.trainEnd) out[i] = SPLIT.train;
    else if (s >= b.trainEnd && e + horizonMs < b.valEnd) out[i] = SPLIT.val;
    else if (s >= b.valEnd && e + horizonMs <= b.to) out[i] = SPLIT.test;
    else out[i] = SPLIT.dropped;
  }
  return out;
}
