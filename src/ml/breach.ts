import type { Breach } from '../contracts/prediction.js';
import type { FaultSample } from '../contracts/samples.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import type { FeatureSchema } from './features.js';
import type { ForecasterOutput } from './forecast.js';
import type { BreachLimits } from './forecast-schema.js';
import type { Frame } from './frames.js';

/**
 * Time to breach: from a forecast (Laplace per step and metric) to when a metric is predicted to
 * cross its limit. P(breach at step j) = P(x > above) or P(x < below) under Laplace(mean_j, sigma_j);
 * the predicted time is the first step with P >= 0.5 (the expected value crosses); `p` is the
 * highest P over the horizon. A metric whose last value is already beyond its limit: inMs = 0, p = 1.
 */

/** CDF of the standard Laplace distribution (location 0, scale 1). */
export function laplaceCdf(z: number): number {
  if (Number.isNaN(z)) return 0.5;
  return z < 0 ? 0.5 * Math.exp(z) : 1 - 0.5 * Math.exp(-z);
}

/** Limits of the model's metrics, in column order (metrics without a limit are left out). */
export interface ColumnLimit {
  m: number;
  metric: string;
  above?: number;
  below?: number;
}

export function columnLimits(metrics: readonly string[], limits: BreachLimits): ColumnLimit[] {
  const out: ColumnLimit[] = [];
  metrics.forEach((metric, m) => {
    const l = limits[metric];
    if (l) out.push({ m, metric, ...l });
  });
  return out;
}

/** Limits = center + `scales` × scale of each metric (above only): used when none are given. */
export const AUTO_LIMIT_SCALES = 6;

export function autoLimits(f: Pick<FeatureSchema, 'metrics' | 'scaler'>, scales = AUTO_LIMIT_SCALES): BreachLimits {
  const out: BreachLimits = {};
  f.metrics.forEach((metric, m) => {
    const v = (f.scaler.center[m] as number) + scales * (f.scaler.scale[m] as number);
    out[metric] = { above: Number(v.toPrecision(6)) };
  });
  return out;
}

const pBeyond = (dir: 'above' | 'below', limit: number, mean: number, sigma: number) => {
  const z = (limit - mean) / Math.max(sigma, 1e-12);
  return dir === 'above' ? 1 - laplaceCdf(z) : laplaceCdf(z);
};

/** Breaches of window `i` of a forecast; `stepMs` = time between forecast steps. */
export function breachesAt(
  out: ForecasterOutput,
  i: number,
  cols: readonly ColumnLimit[],
  stepMs: number,
  ts: number,
): Breach[] {
  const { S, M } = out;
  const res: Breach[] = [];
  for (const c of cols) {
    for (const dir of ['above', 'below'] as const) {
      const limit = c[dir];
      if (limit === undefined) continue;
      const last = out.last[i * M + c.m] as number;
      if (dir === 'above' ? last > limit : last < limit) {
        res.push({ metric: c.metric, limit, direction: dir, inMs: 0, at: ts, p: 1 });
        continue;
      }
      let p = 0;
      let first = -1;
      for (let j = 0; j < S; j++) {
        const q = i * S * M + j * M + c.m;
        const pj = pBeyond(dir, limit, out.mean[q] as number, out.sigma[q] as number);
        if (pj > p) p = pj;
        if (first < 0 && pj >= 0.5) first = j;
      }
      const inMs = first < 0 ? null : (first + 1) * stepMs;
      res.push({
        metric: c.metric,
        limit,
        direction: dir,
        inMs,
        at: inMs === null ? null : ts + inMs,
        p: Math.min(1, Math.max(0, p)),
      });
    }
  }
  return res;
}

/** The breach warning score of window `i`: the highest breach probability over metrics and steps. */
export function breachScore(out: ForecasterOutput, i: number, cols: readonly ColumnLimit[]): number {
  let best = 0;
  for (const b of breachesAt(out, i, cols, 1, 0)) if (b.p > best) best = b.p;
  return best;
}

/** Placeholder fault type of breach episodes (the evaluation treats every episode alike). */
export const BREACH_TYPE = 'resource_exhaustion' as const;

/**
 * Actual breaches in the data: per source, runs of consecutive rows in which some limited metric's
 * observed value is beyond its limit, as fault-shaped episodes {start, end} for the evaluation.
 */
export function breachEpisodes(frames: readonly Frame[], M: number, cols: readonly ColumnLimit[]): FaultSample[] {
  const out: FaultSample[] = [];
  for (const f of frames) {
    let open: FaultSample | null = null;
    for (let i = 0; i < f.ts.length; i++) {
      let beyond = false;
      for (const c of cols) {
        const v = f.values[i * M + c.m] as number;
        if (Number.isNaN(v)) continue;
        if ((c.above !== undefined && v > c.above) || (c.below !== undefined && v < c.below)) beyond = true;
      }
      const t = f.ts[i] as number;
      if (beyond) {
        if (open) open.end = t;
        else open = { v: SCHEMA_VERSION, source: f.source, start: t, end: t, type: BREACH_TYPE, severity: 'critical' };
      } else if (open) {
        out.push(open);
        open = null;
      }
    }
    if (open) out.push(open);
  }
  return out;
}
