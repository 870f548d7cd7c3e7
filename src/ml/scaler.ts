import type { Frame } from './frames.js';

/** Per-metric scaling: scaled = (x - center) / scale, fitted on training rows only. */
export interface Scaler {
  center: number[];
  scale: number[];
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = n >> 1;
  return n % 2 === 1 ? (sorted[h] as number) : ((sorted[h - 1] as number) + (sorted[h] as number)) / 2;
}

/**
 * Robust scaling per metric: center = median, scale = 1.4826 · MAD (σ for normal data), falling back
 * to the standard deviation when the MAD is 0 (mostly-constant metrics such as error counts), and to 1
 * for a constant or never-observed metric. Only rows with `ts < until` are used (the training split).
 */
export function fitScaler(frames: readonly Frame[], metricCount: number, until = Number.POSITIVE_INFINITY): Scaler {
  const center: number[] = [];
  const scale: number[] = [];
  for (let m = 0; m < metricCount; m++) {
    const xs: number[] = [];
    for (const f of frames) {
      for (let i = 0; i < f.ts.length && (f.ts[i] as number) < until; i++) {
        const v = f.values[i * metricCount + m] as number;
        if (!Number.isNaN(v)) xs.push(v);
      }
    }
    const sorted = Float64Array.from(xs).sort();
    const c = xs.length > 0 ? median(sorted) : 0;
    const dev = sorted.map((v) => Math.abs(v - c)).sort();
    let s = 1.4826 * median(dev);
    if (!(s > 1e-12 * (1 + Math.abs(c)))) {
      let sum = 0;
      for (const v of xs) sum += (v - c) * (v - c);
      s = xs.length > 1 ? Math.sqrt(sum / (xs.length - 1)) : 0;
    }
    if (!(s > 1e-12 * (1 + Math.abs(c)))) s = 1;
    center.push(c);
    scale.push(s);
  }
  return { center, scale };
}
