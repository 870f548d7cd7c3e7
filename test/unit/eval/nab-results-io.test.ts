import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  formatScoresCsv,
  loadCorpus,
  readAnomalyScores,
  readDetectorResults,
  readScoresCsv,
  resultsFilePath,
  scoreCorpus,
  writeResultsCsv,
} from '../../../src/eval/nab/index.js';
import { nabDir } from './nab-dir.js';

// reads the whole corpus (≈47 MB of CSV): generous per-test time on a busy CI machine
vi.setConfig({ testTimeout: 60_000 });

const tmp = mkdtempSync(join(tmpdir(), 'nab-io-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('NAB results files: write → read → re-score round trip', () => {
  it('a written results folder re-scores to the same figures, in NAB layout', () => {
    const corpus = loadCorpus(nabDir(), { only: (k) => k.startsWith('artificialWithAnomaly/') });
    expect(corpus.files).toHaveLength(6);
    // a deterministic, causal toy score: relative jump from the previous row, squashed to [0,1]
    const anomalies = corpus.files.map((f) => {
      const a = new Float64Array(f.layout.rows);
      for (let i = 1; i < a.length; i++) {
        const prev = f.values[i - 1] as number;
        const d = Math.abs((f.values[i] as number) - prev) / (Math.abs(prev) + 1);
        a[i] = d / (1 + d);
      }
      return a;
    });
    const before = scoreCorpus(corpus, anomalies, { contributions: true });
    corpus.files.forEach((f, k) => {
      const contributions = Object.fromEntries(before.map((r) => [r.profile.name, r.files[k]?.contributions ?? []]));
      writeResultsCsv(resultsFilePath(tmp, 'toy', f.key), f, anomalies[k] as Float64Array, { contributions });
    });
    const file = join(tmp, 'artificialWithAnomaly', 'toy_art_daily_jumpsup.csv');
    const header = readFileSync(file, 'utf8').split('\n')[0];
    expect(header).toBe(
      'timestamp,value,anomaly_score,label,S(t)_reward_low_FN_rate,S(t)_reward_low_FP_rate,S(t)_standard',
    );
    const again = readDetectorResults(tmp, 'toy', corpus.files);
    expect(again.map((a) => Array.from(a))).toEqual(anomalies.map((a) => Array.from(a)));
    const after = scoreCorpus(corpus, again);
    expect(after.map((r) => [r.threshold, r.raw])).toEqual(before.map((r) => [r.threshold, r.raw]));
    // each S(t) column sums to its file's score (NAB v1.0 convention)
    for (const r of before) {
      for (const f of r.files) {
        const sum = (f.contributions as Float64Array).reduce((s, x) => s + x, 0);
        expect(sum).toBeCloseTo(f.score, 9);
      }
    }
  });

  it('scores CSV: written in NAB columns and read back', () => {
    const corpus = loadCorpus(nabDir(), { only: (k) => k.startsWith('realAdExchange/') });
    const anomalies = corpus.files.map((f) => new Float64Array(f.layout.rows).fill(0.5));
    const [std] = scoreCorpus(corpus, anomalies, { thresholds: { standard: 0.5 } });
    const path = join(tmp, 'x_standard_scores.csv');
    writeFileSync(path, formatScoresCsv('x', std!));
    const back = readScoresCsv(path);
    expect(back.rows).toHaveLength(6);
    expect(back.totals.score).toBeCloseTo(std!.raw, 9);
    expect(back.rows[0]?.threshold).toBe(0.5);
  });

  it('rejects a results file with the wrong row count or out-of-range scores, naming the file', () => {
    const path = join(tmp, 'bad.csv');
    writeFileSync(path, 'timestamp,value,anomaly_score\n2014-01-01 00:00:00,1,0.5\n');
    expect(() => readAnomalyScores(path, 2)).toThrow(/bad.csv: 1 rows, the data file has 2/);
    writeFileSync(path, 'timestamp,value,anomaly_score\n2014-01-01 00:00:00,1,1.5\n');
    expect(() => readAnomalyScores(path, 1)).toThrow(/bad.csv:2: anomaly_score 1.5 not in \[0,1\]/);
  });
});
