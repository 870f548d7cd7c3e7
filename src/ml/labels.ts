import type { FaultSample } from '../contracts/samples.js';

/** Window end times and their sources, as the labelling functions need them. */
export interface WindowIndex {
  n: number;
  /** ts of each window's first and last row */
  start: Float64Array;
  end: Float64Array;
  /** source index of each window */
  src: Int32Array;
  sources: readonly string[];
}

export interface Labels {
  /** n × classes.length: 1 when a fault of that class starts within (end, end + horizon] */
  y: Float32Array;
  /** 1 when the window ends inside a fault (start <= end <= fault end): neither normal nor a warning */
  ongoing: Uint8Array;
  /** 1 when the window's rows overlap [start - horizon, fault end] of any fault: not "normal" */
  nearFault: Uint8Array;
}

/**
 * Labels for "a fault of type k starts within the horizon after this window" (multi-label), plus the
 * masks training and evaluation need. Data time only.
 */
export function faultLabels(
  w: WindowIndex,
  bySource: ReadonlyMap<string, readonly FaultSample[]>,
  classes: readonly string[],
  horizonMs: number,
): Labels {
  const K = classes.length;
  const y = new Float32Array(w.n * K);
  const ongoing = new Uint8Array(w.n);
  const nearFault = new Uint8Array(w.n);
  const classOf = new Map(classes.map((c, k) => [c, k]));
  for (let i = 0; i < w.n; i++) {
    const faults = bySource.get(w.sources[w.src[i] as number] as string);
    if (!faults) continue;
    const t = w.end[i] as number;
    const t0 = w.start[i] as number;
    for (const f of faults) {
      if (f.start - horizonMs > t) break; // sorted by start: the rest start later still
      if (t0 > f.end) continue;
      nearFault[i] = 1;
      if (t > f.end) continue;
      if (t >= f.start) ongoing[i] = 1;
      else {
        const k = classOf.get(f.type);
        if (k !== undefined) y[i * K + k] = 1;
      }
    }
  }
  return { y, ongoing, nearFault };
}
