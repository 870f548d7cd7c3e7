import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type CorpusFile, labelColumn } from './corpus.js';
import { readCsv } from './csv.js';
import { NabDataError } from './errors.js';
import type { ProfileResult } from './score-corpus.js';

/** `<dir>/<category>/<detector>_<file>.csv`, NAB's results layout. */
export function resultsFilePath(dir: string, detector: string, key: string): string {
  const [category, name] = key.split('/') as [string, string];
  return join(dir, category, `${detector}_${name}`);
}

/** Reads a results CSV's `anomaly_score` column (must have one row per data row, values in [0,1]). */
export function readAnomalyScores(file: string, expectedRows: number): Float64Array {
  const table = readCsv(file);
  if (table.rowCount !== expectedRows) {
    throw new NabDataError(`${table.rowCount} rows, the data file has ${expectedRows}`, file);
  }
  const scores = table.numbers('anomaly_score');
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s < 0 || s > 1) throw new NabDataError(`anomaly_score ${s} not in [0,1]`, `${file}:${i + 2}`);
  }
  return scores;
}

/** Reads a detector's results folder for every corpus file, in corpus order. */
export function readDetectorResults(dir: string, detector: string, files: readonly CorpusFile[]): Float64Array[] {
  return files.map((f) => readAnomalyScores(resultsFilePath(dir, detector, f.key), f.layout.rows));
}

/**
 * Writes one NAB results CSV: `timestamp,value,anomaly_score[,extra...],label` and, when
 * profile results with contributions are given, `S(t)_<profile>` columns (as in NAB v1.0 files).
 */
export function writeResultsCsv(
  path: string,
  file: CorpusFile,
  anomaly: ArrayLike<number>,
  opts: { extra?: Record<string, ArrayLike<number>>; contributions?: Record<string, ArrayLike<number>> } = {},
): void {
  const extraNames = Object.keys(opts.extra ?? {});
  const sNames = Object.keys(opts.contributions ?? {}).sort();
  const header = ['timestamp', 'value', 'anomaly_score', ...extraNames, 'label', ...sNames.map((p) => `S(t)_${p}`)];
  const label = labelColumn(file);
  const lines = [header.join(',')];
  for (let i = 0; i < file.layout.rows; i++) {
    const cells = [file.timestampText[i], file.valueText[i], String(anomaly[i])];
    for (const e of extraNames) cells.push(String((opts.extra as Record<string, ArrayLike<number>>)[e]![i]));
    cells.push(String(label[i]));
    for (const p of sNames) cells.push(String((opts.contributions as Record<string, ArrayLike<number>>)[p]![i]));
    lines.push(cells.join(','));
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** One row of NAB's `<det>_<profile>_scores.csv`. */
export interface ScoresCsvRow {
  detector: string;
  profile: string;
  file: string;
  threshold: number;
  score: number;
  tp: number;
  tn: number;
  fp: number;
  fn: number;
  totalCount: number;
}

/** Reads a `<det>_<profile>_scores.csv`; the `Totals` row is returned separately. */
export function readScoresCsv(path: string): { rows: ScoresCsvRow[]; totals: ScoresCsvRow } {
  const t = readCsv(path);
  const col = (n: string) => t.column(n);
  const num = (n: string) => col(n).map(Number);
  const [det, prof, file, th, sc, tp, tn, fp, fn, tc] = [
    col('Detector'),
    col('Profile'),
    col('File'),
    num('Threshold'),
    num('Score'),
    num('TP'),
    num('TN'),
    num('FP'),
    num('FN'),
    num('Total_Count'),
  ] as [string[], string[], string[], number[], number[], number[], number[], number[], number[], number[]];
  const all: ScoresCsvRow[] = det.map((d, i) => ({
    detector: d,
    profile: prof[i] as string,
    file: file[i] as string,
    threshold: th[i] as number,
    score: sc[i] as number,
    tp: tp[i] as number,
    tn: tn[i] as number,
    fp: fp[i] as number,
    fn: fn[i] as number,
    totalCount: tc[i] as number,
  }));
  const totals = all.find((r) => r.detector === 'Totals');
  if (!totals) throw new NabDataError('no Totals row', path);
  return { rows: all.filter((r) => r.detector !== 'Totals'), totals };
}

/** Formats a profile result as NAB's scores CSV (Total_Count = scored rows, as current NAB). */
export function formatScoresCsv(detector: string, r: ProfileResult): string {
  const lines = ['Detector,Profile,File,Threshold,Score,TP,TN,FP,FN,Total_Count'];
  for (const f of r.files) {
    lines.push([detector, r.profile.name, f.key, r.threshold, f.score, f.tp, f.tn, f.fp, f.fn, f.total].join(','));
  }
  const t = r.totals;
  lines.push(['Totals', '', '', '', t.score, t.tp, t.tn, t.fp, t.fn, t.total].join(','));
  return `${lines.join('\n')}\n`;
}
