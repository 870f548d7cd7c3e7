import type { Corpus } from './corpus.js';
import { NabDataError } from './errors.js';
import { type FileScore, scoreFile } from './file-score.js';
import { scorableWindows } from './layout.js';
import { baselines, normalizeScore } from './normalize.js';
import { NAB_PROFILES, type Profile } from './profiles.js';
import { bestRow, type PreparedSweep, prepareSweep, sweepCurve, type ThresholdRow } from './sweep.js';

export interface FileResult extends FileScore {
  key: string;
  category: string;
  /** windows caught (at least one detection) / scorable windows */
  windowsHit: number;
  windows: number;
  /** each row's share of the score (NAB v1.0 `S(t)_<profile>` layout), if asked for */
  contributions?: Float64Array;
}

export interface CategoryResult extends FileScore {
  category: string;
  files: number;
  windows: number;
  windowsHit: number;
  /** normalised like the corpus but over this category's windows; null when it has none */
  normalized: number | null;
}

export interface ProfileResult {
  profile: Profile;
  threshold: number;
  /** how the threshold was chosen */
  thresholdSource: 'sweep' | 'given';
  /** the optimiser's row at the threshold (only for 'sweep') */
  sweep?: ThresholdRow;
  /** Σ of the per-file scores (NAB's Totals row) */
  raw: number;
  normalized: number;
  totals: FileScore & { windows: number; windowsHit: number };
  files: FileResult[];
  categories: CategoryResult[];
}

export interface ScoreCorpusOptions {
  profiles?: readonly Profile[];
  /** fixed thresholds by profile name (e.g. from thresholds.json); others are optimised by the sweep */
  thresholds?: Partial<Record<string, number>>;
  /** also compute per-row contributions */
  contributions?: boolean;
  /** a prepared sweep to reuse (must come from the same corpus and anomalies) */
  prepared?: PreparedSweep;
}

/**
 * Scores one detector on a corpus, as NAB's Runner does: per profile, find the global threshold
 * (sweep over all files at once, or given), score each file at that threshold, sum, normalise.
 * `anomalies[k]` holds the detector's score for every row of `corpus.files[k]`.
 */
export function scoreCorpus(
  corpus: Corpus,
  anomalies: readonly ArrayLike<number>[],
  opts: ScoreCorpusOptions = {},
): ProfileResult[] {
  if (anomalies.length !== corpus.files.length) {
    throw new NabDataError(`${anomalies.length} score series for ${corpus.files.length} corpus files`);
  }
  const scored = corpus.files.map((f, k) => ({ layout: f.layout, anomaly: anomalies[k] as ArrayLike<number> }));
  let prepared = opts.prepared;
  const profiles = opts.profiles ?? NAB_PROFILES;
  const needSweep = profiles.some((p) => opts.thresholds?.[p.name] === undefined);
  if (needSweep && !prepared) prepared = prepareSweep(scored);

  const scorableTotal = corpus.files.reduce((s, f) => s + scorableWindows(f.layout), 0);
  return profiles.map((profile) => {
    const given = opts.thresholds?.[profile.name];
    let threshold: number;
    let sweep: ThresholdRow | undefined;
    if (given !== undefined) threshold = given;
    else {
      sweep = bestRow(sweepCurve(prepared as PreparedSweep, profile));
      threshold = sweep.threshold;
    }
    const files: FileResult[] = corpus.files.map((f, k) => {
      const s = scoreFile(f.layout, anomalies[k] as ArrayLike<number>, profile, threshold, {
        contributions: opts.contributions,
      });
      return { key: f.key, category: f.category, ...s, ...windowHits(f.layout, anomalies[k]!, threshold) };
    });
    const totals = { ...sum(files), windows: 0, windowsHit: 0 };
    for (const f of files) {
      totals.windows += f.windows;
      totals.windowsHit += f.windowsHit;
    }
    const b = baselines(profile, corpus.windowCount, scorableTotal);
    const categories = [...new Set(corpus.files.map((f) => f.category))].map((category) => {
      const inCat = files.filter((f) => f.category === category);
      const windows = corpus.files.filter((f) => f.category === category).reduce((s, f) => s + f.windows.length, 0);
      const catScorable = inCat.reduce((s, f) => s + f.windows, 0);
      const cs = sum(inCat);
      return {
        category,
        files: inCat.length,
        windows,
        windowsHit: inCat.reduce((s, f) => s + f.windowsHit, 0),
        ...cs,
        normalized: normalizeScore(cs.score, baselines(profile, windows, catScorable)),
      };
    });
    const result: ProfileResult = {
      profile,
      threshold,
      thresholdSource: given !== undefined ? 'given' : 'sweep',
      raw: totals.score,
      normalized: normalizeScore(totals.score, b) ?? 0,
      totals,
      files,
      categories,
    };
    if (sweep) result.sweep = sweep;
    return result;
  });
}

function sum(rows: readonly FileScore[]): FileScore {
  const t: FileScore = { score: 0, tp: 0, tn: 0, fp: 0, fn: 0, total: 0 };
  for (const r of rows) {
    t.score += r.score;
    t.tp += r.tp;
    t.tn += r.tn;
    t.fp += r.fp;
    t.fn += r.fn;
    t.total += r.total;
  }
  return t;
}

function windowHits(
  layout: Corpus['files'][number]['layout'],
  anomaly: ArrayLike<number>,
  threshold: number,
): { windows: number; windowsHit: number } {
  const hit = new Uint8Array(layout.windows.length);
  for (let i = layout.firstScored; i < layout.rows; i++) {
    const w = layout.window[i] as number;
    if (w >= 0 && (anomaly[i] as number) >= threshold) hit[w] = 1;
  }
  let windows = 0;
  let windowsHit = 0;
  for (let w = 0; w < hit.length; w++) {
    if (!layout.scorable[w]) continue;
    windows++;
    windowsHit += hit[w] as number;
  }
  return { windows, windowsHit };
}
