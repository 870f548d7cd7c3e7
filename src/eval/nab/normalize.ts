import type { Profile } from './profiles.js';

/** The raw scores that map to 0 and 100 (NAB `Runner.normalize`). */
export interface Baselines {
  /** every window caught on its first row, no FP: windows · tpWeight */
  perfect: number;
  /** the null detector (never detects): −fnWeight per scorable window */
  base: number;
}

/**
 * `windows` = all labelled windows (NAB counts them from combined_windows.json);
 * `scorableWindows` = those with a non-probationary row (they cost −fnWeight when missed).
 * In NAB both are 116.
 */
export function baselines(profile: Profile, windows: number, scorableWindows = windows): Baselines {
  return { perfect: windows * profile.tpWeight, base: -profile.fnWeight * scorableWindows };
}

/** 100·(raw − base)/(perfect − base); null when the span is empty (e.g. a set with no windows). */
export function normalizeScore(raw: number, b: Baselines): number | null {
  const span = b.perfect - b.base;
  if (span === 0) return null;
  return (100 * (raw - b.base)) / span;
}
