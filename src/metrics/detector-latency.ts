import type { SeriesScorer } from '../detect/scorer.js';
import type { Metrics } from './registry.js';

/** 1 µs .. 50 ms: one point through every detector, the ensemble and the alarm rules */
export const DETECTOR_LATENCY_BUCKETS = [
  1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 5e-2,
];

export interface TimedScorerOptions {
  /** time one update in this many (default 64): timing every point would cost more than it tells */
  every?: number;
}

type AnyFn = (...args: never[]) => unknown;

/**
 * Wraps a scorer so that a sample of its `update` (and `updateFast`, when it has one) calls is timed
 * into the histogram `faultline_detector_update_seconds` (the whole scorer: detectors + ensemble +
 * alarm rules). Everything else (`init`, `revive`, ...) is the scorer's own; scores are untouched.
 */
// biome-ignore lint/suspicious/noExplicitAny: any scorer state
export function timedScorer<T extends SeriesScorer<any>>(
  scorer: T,
  metrics: Metrics,
  opts: TimedScorerOptions = {},
): T {
  const every = Math.max(1, Math.floor(opts.every ?? 64));
  const histogram = metrics.histogram({
    name: 'faultline_detector_update_seconds',
    help: `Time to score one point (detectors, ensemble, alarm rules), sampled 1 in ${every} points`,
    buckets: DETECTOR_LATENCY_BUCKETS,
  });
  let n = 0;
  const timed = <F extends AnyFn>(fn: F): F =>
    ((...args: Parameters<F>) => {
      if (++n % every !== 0) return fn(...args);
      const t0 = performance.now();
      const out = fn(...args);
      histogram.observe((performance.now() - t0) / 1000);
      return out;
    }) as F;
  const wrapper = Object.create(scorer) as T & { updateFast?: AnyFn };
  wrapper.update = timed(scorer.update.bind(scorer)) as T['update'];
  const fast = (scorer as { updateFast?: unknown }).updateFast;
  if (typeof fast === 'function') wrapper.updateFast = timed((fast as AnyFn).bind(scorer));
  return wrapper;
}
