import { NabDataError } from './errors.js';
import { probationaryLength } from './probation.js';
import { scaledSigmoid } from './sigmoid.js';
import type { LabelWindow } from './windows.js';

/**
 * Everything about one file that scoring needs and that does not depend on the detector:
 * which window each row is in and its unweighted sweep value (nab/sweeper.py `calcSweepScore`).
 * Build it once per file and score any number of detectors / thresholds / profiles against it.
 */
export interface FileLayout {
  key: string;
  rows: number;
  /** rows with index < probation are probationary (never scored) */
  probation: number;
  /** first scored row = ceil(probation) */
  firstScored: number;
  /** window index per row (into `windows`), -1 outside every window */
  window: Int32Array;
  /** scaledSigmoid(position) per row: a TP reward inside a window, an FP cost (≤ 0) outside */
  unweighted: Float64Array;
  /** the file's labelled windows, in order */
  windows: LabelWindow[];
  /** row where each window is entered (-1 if never) */
  windowFirstRow: Int32Array;
  /** 1 if the window has at least one non-probationary row, so it scores (TP or FN) */
  scorable: Uint8Array;
}

/**
 * Walks the rows in file order as NAB does: a window is entered on the row whose timestamp equals
 * the next window's start, its right index R is the FIRST row with the end timestamp, its width
 * W = R − L + 1, and it is exited after the row whose timestamp equals its end.
 */
export function buildLayout(
  key: string,
  timestamps: ArrayLike<number>,
  windows: LabelWindow[],
  probationPercent?: number,
): FileLayout {
  const n = timestamps.length;
  const firstIndex = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const t = timestamps[i] as number;
    if (!firstIndex.has(t)) firstIndex.set(t, i);
  }
  const window = new Int32Array(n).fill(-1);
  const unweighted = new Float64Array(n);
  const windowFirstRow = new Int32Array(windows.length).fill(-1);
  const windowLastRow = new Int32Array(windows.length).fill(-1);

  let next = 0;
  let cur = -1;
  let curR = 0;
  let curW = 0;
  let prevR = -1;
  let prevW = 0;
  for (let i = 0; i < n; i++) {
    const t = timestamps[i] as number;
    const upcoming = windows[next];
    if (upcoming !== undefined && t === upcoming.start) {
      cur = next++;
      const r = firstIndex.get(upcoming.end);
      if (r === undefined) throw new NabDataError(`window end ${upcoming.endText} is not a timestamp of the file`, key);
      curR = r;
      curW = r - (firstIndex.get(upcoming.start) as number) + 1;
      windowFirstRow[cur] = i;
    }
    if (cur >= 0) {
      unweighted[i] = scaledSigmoid(-(curR - i + 1) / curW);
      window[i] = cur;
    } else {
      unweighted[i] = scaledSigmoid(prevR < 0 ? 3.0 : Math.abs(prevR - i) / (prevW - 1));
    }
    if (cur >= 0 && t === (windows[cur] as LabelWindow).end) {
      windowLastRow[cur] = i;
      prevR = i;
      prevW = curW;
      cur = -1;
    }
  }
  if (next < windows.length) {
    const w = windows[next] as LabelWindow;
    throw new NabDataError(`window start ${w.startText} was never reached in row order`, key);
  }
  const probation = probationaryLength(n, probationPercent);
  const scorable = new Uint8Array(windows.length);
  for (let w = 0; w < windows.length; w++) {
    // rows of a window still open at the end of the file run to the last row
    const last = windowLastRow[w] as number;
    scorable[w] = (last < 0 ? n - 1 : last) >= probation ? 1 : 0;
  }
  return {
    key,
    rows: n,
    probation,
    firstScored: Math.ceil(probation),
    window,
    unweighted,
    windows,
    windowFirstRow,
    scorable,
  };
}

/** Number of windows that score (TP or FN) in this file. */
export function scorableWindows(layout: FileLayout): number {
  let k = 0;
  for (const s of layout.scorable) k += s;
  return k;
}
