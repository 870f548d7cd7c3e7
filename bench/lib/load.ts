import type { MetricPointInput } from '../../src/contracts/metric.js';

/** data time of the first point of every bench load */
export const T0 = Date.UTC(2024, 0, 1);
/** data-time step between a series' points */
export const STEP = 10_000;

/**
 * Point i of a deterministic load spread round-robin over `series` series: a slow sine with a
 * little noise, and a spike at step 500 of every 997.
 */
export function pointAt(i: number, series: number): MetricPointInput {
  const k = i % series;
  const n = Math.floor(i / series);
  const noise = Math.sin(i * 12.9898) * 43758.5453;
  const frac = noise - Math.floor(noise);
  return {
    ts: T0 + n * STEP,
    source: `host-${k}`,
    metric: 'cpu',
    value: 50 + 10 * Math.sin((2 * Math.PI * n) / 360) + (frac - 0.5) * 4 + (n % 997 === 500 ? 40 : 0),
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
