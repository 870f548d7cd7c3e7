import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Corpus,
  labelColumn,
  loadCorpus,
  loadProfiles,
  loadThresholds,
  NAB_PROFILES,
  nabPaths,
  type ProfileResult,
  readCsv,
  readDetectorResults,
  readScoresCsv,
  resultsFilePath,
  scoreCorpus,
} from '../../../src/eval/nab/index.js';
import { nabDir } from './nab-dir.js';

// reads the whole corpus (≈47 MB of CSV): generous per-test time on a busy CI machine
vi.setConfig({ testTimeout: 60_000 });

/**
 * Golden test: re-scoring NAB's own published raw results with the thresholds of
 * config/thresholds.json reproduces results/final_results.json and every per-file row of the
 * published `<det>_<profile>_scores.csv` (spec §9).
 */
const PUBLISHED = {
  numenta: { standard: 70.10105611943965, reward_low_FP_rate: 63.11684160219828, reward_low_FN_rate: 74.3202443095115 },
  null: { standard: 0, reward_low_FP_rate: 0, reward_low_FN_rate: 0 },
} as const;
const TOL = 1e-9;

let dir: string;
let corpus: Corpus;
let thresholds: Record<string, Record<string, number>>;
let finalResults: Record<string, Record<string, number>>;
const results: Record<string, ProfileResult[]> = {};
const anomalies: Record<string, Float64Array[]> = {};

beforeAll(() => {
  dir = nabDir();
  const paths = nabPaths(dir);
  corpus = loadCorpus(dir);
  thresholds = loadThresholds(paths.thresholds);
  finalResults = JSON.parse(readFileSync(paths.finalResults, 'utf8'));
  for (const det of ['numenta', 'null'] as const) {
    anomalies[det] = readDetectorResults(join(paths.results, det), det, corpus.files);
    results[det] = scoreCorpus(corpus, anomalies[det], { thresholds: thresholds[det], contributions: true });
  }
}, 120_000);

describe('NAB corpus as loaded', () => {
  it('has 58 files, 365,558 rows, 116 windows, and the built-in profiles equal profiles.json', () => {
    expect(corpus.files).toHaveLength(58);
    expect(corpus.files.reduce((s, f) => s + f.layout.rows, 0)).toBe(365_558);
    expect(corpus.windowCount).toBe(116);
    expect(corpus.files.filter((f) => f.windows.length === 0)).toHaveLength(6);
    expect(loadProfiles(nabPaths(dir).profiles)).toEqual(NAB_PROFILES);
  });
});

describe.each(['numenta', 'null'] as const)('golden: %s re-scored with thresholds.json', (det) => {
  it.each(NAB_PROFILES.map((p) => p.name))(
    '%s: normalised total equals final_results.json and the published figure',
    (profile) => {
      const r = (results[det] as ProfileResult[]).find((x) => x.profile.name === profile) as ProfileResult;
      const expected = PUBLISHED[det][profile as keyof (typeof PUBLISHED)[typeof det]];
      expect(finalResults[det]?.[profile]).toBe(expected);
      expect(Math.abs(r.normalized - expected)).toBeLessThan(TOL);
    },
  );

  it.each(NAB_PROFILES.map((p) => p.name))(
    '%s: every per-file score within 1e-9 and identical TP/TN/FP/FN',
    (profile) => {
      const r = (results[det] as ProfileResult[]).find((x) => x.profile.name === profile) as ProfileResult;
      const published = readScoresCsv(join(nabPaths(dir).results, det, `${det}_${profile}_scores.csv`));
      expect(published.rows).toHaveLength(58);
      const mismatches: string[] = [];
      for (const row of published.rows) {
        const mine = r.files.find((f) => f.key === row.file);
        if (!mine) {
          mismatches.push(`${row.file}: not scored`);
          continue;
        }
        const rows = corpus.files.find((f) => f.key === row.file)?.layout.rows;
        if (Math.abs(mine.score - row.score) > TOL) mismatches.push(`${row.file}: score ${mine.score} vs ${row.score}`);
        const a = [mine.tp, mine.tn, mine.fp, mine.fn, rows];
        const b = [row.tp, row.tn, row.fp, row.fn, row.totalCount];
        if (a.join() !== b.join()) mismatches.push(`${row.file}: counts ${a} vs ${b}`);
      }
      expect(mismatches).toEqual([]);
      // Totals row (printed with 12 significant digits)
      expect(Math.abs(r.raw - published.totals.score)).toBeLessThan(TOL);
      expect([r.totals.tp, r.totals.tn, r.totals.fp, r.totals.fn]).toEqual([
        published.totals.tp,
        published.totals.tn,
        published.totals.fp,
        published.totals.fn,
      ]);
    },
  );

  it("reproduces each row's S(t)_<profile> contribution and the label column of the published results files", () => {
    const bad: string[] = [];
    for (const [k, f] of corpus.files.entries()) {
      const table = readCsv(resultsFilePath(join(nabPaths(dir).results, det), det, f.key));
      const label = labelColumn(f);
      const published = table.numbers('label');
      for (let i = 0; i < f.layout.rows; i++) {
        if (published[i] !== label[i]) {
          bad.push(`${f.key}:${i} label ${label[i]} vs ${published[i]}`);
          break;
        }
      }
      for (const r of results[det] as ProfileResult[]) {
        const col = table.numbers(`S(t)_${r.profile.name}`);
        const mine = r.files[k]?.contributions as Float64Array;
        for (let i = 0; i < f.layout.rows; i++) {
          if (Math.abs((mine[i] as number) - (col[i] as number)) > TOL) {
            bad.push(`${f.key}:${i} S(t)_${r.profile.name} ${mine[i]} vs ${col[i]}`);
            break;
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });
});

describe('golden: the sweep optimiser (spec §9.5)', () => {
  it('finds numenta threshold ≈0.543099 (raw 46.634450 standard) and 63.2092 for reward_low_FP', () => {
    const swept = scoreCorpus(corpus, anomalies['numenta'] as Float64Array[]);
    const std = swept.find((r) => r.profile.name === 'standard') as ProfileResult;
    const lowFp = swept.find((r) => r.profile.name === 'reward_low_FP_rate') as ProfileResult;
    expect(std.threshold).toBeCloseTo(0.543099, 6);
    expect(std.raw).toBeCloseTo(46.63445, 6);
    expect(Math.abs((std.sweep?.score as number) - std.raw)).toBeLessThan(TOL);
    expect(lowFp.raw).toBeCloseTo(30.645309, 6);
    expect(lowFp.normalized).toBeCloseTo(63.2092, 4);
    // re-optimising never loses against the checked-in thresholds
    for (const r of swept) {
      const fixed = (results['numenta'] as ProfileResult[]).find((x) => x.profile.name === r.profile.name);
      expect(r.raw).toBeGreaterThanOrEqual((fixed as ProfileResult).raw - TOL);
    }
  });

  it('null detector: the sweep keeps 1.1 (no detections), raw = −fnWeight·116', () => {
    const swept = scoreCorpus(corpus, anomalies['null'] as Float64Array[]);
    expect(swept.map((r) => [r.threshold, r.raw, r.normalized])).toEqual([
      [1.1, -116, 0],
      [1.1, -116, 0],
      [1.1, -232, 0],
    ]);
  });
});
