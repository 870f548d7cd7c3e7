import type { ProfileResult } from '../../src/eval/nab/index.js';

/** The machine-readable result of one detector's NAB run (the `--json` line). */
export interface NabSummary {
  detector: string;
  standard: number;
  reward_low_FP_rate: number;
  reward_low_FN_rate: number;
  raw: Record<string, number>;
  thresholds: Record<string, number>;
  windowsHit: Record<string, number>;
  fpRows: Record<string, number>;
  /** normalised score per category per profile (null for categories without windows) */
  categories: Record<string, Record<string, number | null>>;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

export function summarize(detector: string, results: readonly ProfileResult[]): NabSummary {
  const by = (name: string) => results.find((r) => r.profile.name === name);
  const pick = (f: (r: ProfileResult) => number) =>
    Object.fromEntries(results.map((r) => [r.profile.name, f(r)])) as Record<string, number>;
  const categories: NabSummary['categories'] = {};
  for (const r of results) {
    for (const c of r.categories) {
      categories[c.category] ??= {};
      (categories[c.category] as Record<string, number | null>)[r.profile.name] =
        c.normalized === null ? null : round(c.normalized);
    }
  }
  return {
    detector,
    standard: round(by('standard')?.normalized ?? Number.NaN),
    reward_low_FP_rate: round(by('reward_low_FP_rate')?.normalized ?? Number.NaN),
    reward_low_FN_rate: round(by('reward_low_FN_rate')?.normalized ?? Number.NaN),
    raw: pick((r) => round(r.raw, 6)),
    thresholds: pick((r) => r.threshold),
    windowsHit: pick((r) => r.totals.windowsHit),
    fpRows: pick((r) => r.totals.fp),
    categories,
  };
}
