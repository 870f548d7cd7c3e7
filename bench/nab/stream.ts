import { createSeriesScorer } from '../../src/detect/index.js';
import type { Corpus, CorpusFile } from '../../src/eval/nab/index.js';
import type { ScorerConfig } from './select.js';

export interface StreamedRun {
  /** the detector's combined score per row, per corpus file (corpus order) */
  anomalies: Float64Array[];
  /** each ensemble member's score per row (by detector name), per file, when asked for */
  members?: Record<string, Float64Array>[];
  rows: number;
  seconds: number;
}

/**
 * Streams every row of every corpus file, in file order, through the pipeline's scorer
 * (`createSeriesScorer`, the same code the Kafka worker runs), one fresh series state per file.
 * Row i's score is computed before row i+1 is seen, so it depends only on rows ≤ i.
 */
export function streamCorpus(
  corpus: Corpus,
  config: ScorerConfig,
  opts: { members?: boolean; onFile?: (done: number, total: number, file: CorpusFile, ms: number) => void } = {},
): StreamedRun {
  const scorer = createSeriesScorer({ detectors: config.detectors, ensemble: config.ensemble, alarms: config.alarms });
  const anomalies: Float64Array[] = [];
  const members: Record<string, Float64Array>[] = [];
  let rows = 0;
  const t0 = performance.now();
  corpus.files.forEach((file, k) => {
    const t1 = performance.now();
    const n = file.layout.rows;
    const out = new Float64Array(n);
    const names = scorer.names;
    const memberArrays = opts.members ? names.map(() => new Float64Array(n)) : [];
    const state = scorer.init();
    const meta = { source: 'nab', metric: file.key };
    for (let i = 0; i < n; i++) {
      // updateFast: the same computation as update() without building the contract Score
      const r = scorer.updateFast(state, file.timestamps[i] as number, file.values[i] as number, meta);
      const s = r.score;
      if (!(s >= 0 && s <= 1)) throw new Error(`${file.key} row ${i}: score ${s} is not in [0,1]`);
      out[i] = s;
      for (let m = 0; m < memberArrays.length; m++) (memberArrays[m] as Float64Array)[i] = r.scores[m] as number;
    }
    const perMember: Record<string, Float64Array> = {};
    names.forEach((name, m) => {
      if (memberArrays[m]) perMember[name] = memberArrays[m];
    });
    anomalies.push(out);
    if (opts.members) members.push(perMember);
    rows += n;
    opts.onFile?.(k + 1, corpus.files.length, file, performance.now() - t1);
  });
  const run: StreamedRun = { anomalies, rows, seconds: (performance.now() - t0) / 1000 };
  if (opts.members) run.members = members;
  return run;
}
