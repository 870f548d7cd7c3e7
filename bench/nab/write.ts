import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Corpus,
  formatScoresCsv,
  type ProfileResult,
  resultsFilePath,
  writeResultsCsv,
} from '../../src/eval/nab/index.js';

/**
 * Writes a NAB-style results folder for one detector: `<out>/<category>/<det>_<file>.csv`
 * (timestamp,value,anomaly_score,label,S(t)_<profile>...) and `<out>/<det>_<profile>_scores.csv`.
 */
export function writeResultsFolder(
  out: string,
  detector: string,
  corpus: Corpus,
  anomalies: readonly Float64Array[],
  results: readonly ProfileResult[],
): void {
  mkdirSync(out, { recursive: true });
  corpus.files.forEach((file, k) => {
    const contributions: Record<string, Float64Array> = {};
    for (const r of results) {
      const c = r.files[k]?.contributions;
      if (c) contributions[r.profile.name] = c;
    }
    writeResultsCsv(resultsFilePath(out, detector, file.key), file, anomalies[k] as Float64Array, { contributions });
  });
  for (const r of results)
    writeFileSync(join(out, `${detector}_${r.profile.name}_scores.csv`), formatScoresCsv(detector, r));
}
