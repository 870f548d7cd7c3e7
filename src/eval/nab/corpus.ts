import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv } from './csv.js';
import { NabDataError } from './errors.js';
import { buildLayout, type FileLayout } from './layout.js';
import { parseNabTimestamp } from './timestamp.js';
import { type LabelWindow, loadWindows } from './windows.js';

/** One data file of the corpus with its windows and scoring layout. */
export interface CorpusFile {
  /** `<category>/<name>.csv`, the key used by the labels */
  key: string;
  category: string;
  /** file name, e.g. `nyc_taxi.csv` */
  name: string;
  path: string;
  timestamps: Float64Array;
  /** the timestamp and value cells as written in the data file */
  timestampText: string[];
  valueText: string[];
  values: Float64Array;
  windows: LabelWindow[];
  layout: FileLayout;
}

export interface Corpus {
  dir: string;
  files: CorpusFile[];
  /** all labelled windows of the loaded files (NAB's normalisation count) */
  windowCount: number;
}

/** Standard locations inside a NAB checkout / copy. */
export function nabPaths(nabDir: string) {
  return {
    data: join(nabDir, 'data'),
    windows: join(nabDir, 'labels', 'combined_windows.json'),
    profiles: join(nabDir, 'config', 'profiles.json'),
    thresholds: join(nabDir, 'config', 'thresholds.json'),
    results: join(nabDir, 'results'),
    finalResults: join(nabDir, 'results', 'final_results.json'),
  };
}

/** Lists `<category>/<name>.csv` under data/, sorted. */
export function listDataFiles(dataDir: string): string[] {
  if (!existsSync(dataDir)) throw new NabDataError('NAB data folder not found', dataDir);
  const keys: string[] = [];
  for (const cat of readdirSync(dataDir).sort()) {
    const catDir = join(dataDir, cat);
    if (!statSync(catDir).isDirectory()) continue;
    for (const f of readdirSync(catDir).sort()) if (f.endsWith('.csv')) keys.push(`${cat}/${f}`);
  }
  return keys;
}

/**
 * Loads the corpus: every data file (or those in `only`), its windows from combined_windows.json
 * and its scoring layout. Every data file must have an entry in the windows (possibly []).
 */
export function loadCorpus(
  nabDir: string,
  opts: { windowsFile?: string; only?: (key: string) => boolean; probationPercent?: number } = {},
): Corpus {
  const paths = nabPaths(nabDir);
  const windowsByFile = loadWindows(opts.windowsFile ?? paths.windows);
  const keys = listDataFiles(paths.data).filter((k) => opts.only?.(k) ?? true);
  const files: CorpusFile[] = [];
  let windowCount = 0;
  for (const key of keys) {
    const windows = windowsByFile.get(key);
    if (!windows) throw new NabDataError(`no entry for ${key} in the windows file`, opts.windowsFile ?? paths.windows);
    const path = join(paths.data, key);
    const table = readCsv(path);
    const timestampText = table.column('timestamp');
    const timestamps = new Float64Array(timestampText.length);
    for (let i = 0; i < timestampText.length; i++) {
      timestamps[i] = parseNabTimestamp(timestampText[i] as string, `${path}:${i + 2}`);
    }
    const [category, name] = key.split('/') as [string, string];
    files.push({
      key,
      category,
      name,
      path,
      timestamps,
      timestampText,
      valueText: table.column('value'),
      values: table.numbers('value'),
      windows,
      layout: buildLayout(key, timestamps, windows, opts.probationPercent),
    });
    windowCount += windows.length;
  }
  return { dir: nabDir, files, windowCount };
}

/** NAB's `label` column: 1 for rows whose timestamp lies in a window (inclusive). */
export function labelColumn(file: CorpusFile): Uint8Array {
  const out = new Uint8Array(file.timestamps.length);
  for (let i = 0; i < out.length; i++) {
    const t = file.timestamps[i] as number;
    for (const w of file.windows) {
      if (t >= w.start && t <= w.end) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}
