/**
 * NAB benchmark runner: `npm run bench:nab -- [--detector <name>|all] [--out <dir>] [--json]`.
 *
 * Streams every NAB data file through the pipeline's scorer (`createSeriesScorer`, as the Kafka
 * worker runs it), writes NAB-format results, sweeps the threshold per profile as NAB's optimiser
 * does, and prints the three profile scores, per-category scores and the runtime. With --json the
 * last stdout line is one JSON object (standard, reward_low_FP_rate, reward_low_FN_rate, seconds, ...).
 */
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadPipeline } from '../../src/config/load.js';
import { loadCorpus, scoreCorpus } from '../../src/eval/nab/index.js';
import { categoryTable, profileTable, SCOREBOARD, table } from './format.js';
import { defaultNabDir, PROJECT_ROOT } from './paths.js';
import { fileProgress } from './progress.js';
import { pipelineDetectorNames, type ScorerConfig, selectDetectors } from './select.js';
import { streamCorpus } from './stream.js';
import { type NabSummary, summarize } from './summary.js';
import { writeResultsFolder } from './write.js';

const ENSEMBLE = 'faultline';

interface Options {
  detector?: string;
  out?: string;
  json?: boolean;
  write: boolean;
  pipeline: string;
  nab: string;
  only?: string;
}

function main(): void {
  const program = new Command('bench:nab')
    .description('Score the pipeline detectors on the Numenta Anomaly Benchmark')
    .option(
      '--detector <name>',
      `one detector alone (name or kind, e.g. zscore), or "all": the ensemble and each member`,
    )
    .option(
      '--out <dir>',
      'results folder, NAB layout <out>/<category>/<det>_<file>.csv (with all: <out>/<det>/...); default bench/out/nab/<det>',
    )
    .option('--json', 'print one JSON object as the last line')
    .option('--no-write', 'do not write results files')
    .option('--pipeline <file>', 'pipeline YAML', resolve(PROJECT_ROOT, 'pipelines/default.yaml'))
    .option('--nab <dir>', 'NAB data folder ($NAB_DIR, else ../shared/data/nab)', defaultNabDir())
    .option('--only <text>', 'only files whose path contains this (debugging; scores are not comparable)')
    .parse();
  const opts = program.opts<Options>();
  const log = (m: string) => {
    // with --json, keep stdout for the JSON line alone
    if (opts.json) process.stderr.write(`${m}\n`);
    else process.stdout.write(`${m}\n`);
  };

  const t0 = performance.now();
  const pipeline = loadPipeline(opts.pipeline);
  const only = opts.only;
  const corpus = loadCorpus(opts.nab, only ? { only: (k) => k.includes(only) } : {});
  if (corpus.files.length === 0) throw new Error(`no NAB files match --only ${only}`);
  const rowsTotal = corpus.files.reduce((s, f) => s + f.layout.rows, 0);
  const loadSeconds = (performance.now() - t0) / 1000;
  log(`NAB: ${corpus.files.length} files, ${rowsTotal} rows, ${corpus.windowCount} windows (${opts.nab})`);

  const all = opts.detector === 'all';
  // "all": the ensemble, then each pipeline detector alone (its own pass: inside the ensemble a
  // detector's state is also moved by the others, e.g. CUSUM re-baselining)
  const runs = all ? [undefined, ...pipelineDetectorNames(pipeline)] : [opts.detector];
  const summaries: NabSummary[] = [];
  let detectSeconds = 0;
  let scoreSeconds = 0;
  const outs: string[] = [];
  for (const [idx, detector] of runs.entries()) {
    const label = detector ?? ENSEMBLE;
    const config: ScorerConfig = selectDetectors(pipeline, detector);
    log(`${label}: ${config.detectors.map((d) => d.name ?? d.kind).join(', ')} (combine: ${config.ensemble.combine})`);
    const run = streamCorpus(corpus, config, { onFile: fileProgress(label) });
    detectSeconds += run.seconds;
    const t1 = performance.now();
    const results = scoreCorpus(corpus, run.anomalies, { contributions: opts.write });
    scoreSeconds += (performance.now() - t1) / 1000;
    if (opts.write) {
      const base = resolve(PROJECT_ROOT, 'bench/out/nab');
      const out = resolve(all ? join(opts.out ?? base, label) : (opts.out ?? join(base, label)));
      writeResultsFolder(out, label, corpus, run.anomalies, results);
      outs.push(out);
    }
    summaries.push(summarize(label, results));
    if (idx > 0) continue;
    log('');
    log(`${label}: NAB scores (threshold from the sweep, one per profile for the whole corpus)`);
    log(profileTable(results));
    log('');
    log('per category (normalised over the category’s windows, at the corpus-wide threshold):');
    log(categoryTable(results));
    log(`detect ${run.seconds.toFixed(2)} s (${Math.round(rowsTotal / run.seconds)} rows/s)`);
  }

  log('');
  log(
    table(
      ['detector', 'standard', 'reward_low_FP', 'reward_low_FN', 'windows hit (std)', 'FP rows (std)'],
      [
        ...summaries.map((s) => [
          s.detector,
          s.standard.toFixed(2),
          s.reward_low_FP_rate.toFixed(2),
          s.reward_low_FN_rate.toFixed(2),
          `${s.windowsHit['standard']}/${corpus.windowCount}`,
          s.fpRows['standard'] ?? 0,
        ]),
        ...SCOREBOARD.map(([n, a, b, c]) => [`(published) ${n}`, a.toFixed(1), b.toFixed(1), c.toFixed(1), '', '']),
      ],
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  log('');
  log(
    `runtime: ${seconds.toFixed(2)} s total — load ${loadSeconds.toFixed(2)} s, detect ${detectSeconds.toFixed(2)} s, ` +
      `sweep+score ${scoreSeconds.toFixed(2)} s` +
      (outs.length ? `; results in ${outs.length === 1 ? outs[0] : dirname(outs[0] as string)}` : ''),
  );
  if (opts.json) {
    const head = summaries[0] as NabSummary;
    const extra = all ? { detectors: summaries.slice(1) } : {};
    process.stdout.write(
      `${JSON.stringify({
        ...head,
        seconds: round2(seconds),
        detectSeconds: round2(detectSeconds),
        scoreSeconds: round2(scoreSeconds),
        files: corpus.files.length,
        rows: rowsTotal,
        ...(outs.length ? { out: outs[0] } : {}),
        ...extra,
      })}\n`,
    );
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

try {
  main();
} catch (err) {
  process.stderr.write(`bench:nab: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
