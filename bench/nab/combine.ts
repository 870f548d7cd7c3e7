/**
 * What-if analysis on saved runs: `npx tsx bench/nab/combine.ts [--dir bench/out/nab] [--refractory 0,50,200]`.
 *
 * Reads the per-detector results folders written by `bench:nab -- --detector all`
 * (`<dir>/<det>/<category>/<det>_<file>.csv`) and scores, without re-running detectors:
 * every subset of the single detectors combined by max / mean / second-highest, and a causal
 * refractory transform of the ensemble score (a row keeps its score only if it exceeds every
 * score of the previous K rows, else it is halved) — how much NAB rewards suppressing repeats.
 * Offline combinations of separately-run detectors differ from the ensemble (which re-baselines
 * members on change points): use it to rank ideas, then measure with bench:nab.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { loadCorpus, readDetectorResults, scoreCorpus } from '../../src/eval/nab/index.js';
import { table } from './format.js';
import { defaultNabDir, PROJECT_ROOT } from './paths.js';

type Combiner = (vals: Float64Array) => number;
const COMBINERS: Record<string, Combiner> = {
  max: (v) => {
    let m = 0;
    for (const x of v) if (x > m) m = x;
    return m;
  },
  mean: (v) => {
    let s = 0;
    for (const x of v) s += x;
    return s / v.length;
  },
  second: (v) => {
    let a = 0;
    let b = 0;
    for (const x of v) {
      if (x > a) {
        b = a;
        a = x;
      } else if (x > b) b = x;
    }
    return v.length < 2 ? a : b;
  },
};

/** a row keeps its score only if it beats the previous K rows' scores, else it is halved (causal) */
export function refractory(a: Float64Array, k: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    let m = 0;
    for (let j = Math.max(0, i - k); j < i; j++) if ((a[j] as number) > m) m = a[j] as number;
    out[i] = k === 0 || (a[i] as number) > m ? (a[i] as number) : (a[i] as number) * 0.5;
  }
  return out;
}

function main(): void {
  const opts = new Command('nab-combine')
    .option('--dir <dir>', 'folder of per-detector results', resolve(PROJECT_ROOT, 'bench/out/nab'))
    .option('--ensemble <name>', 'ensemble results name', 'faultline')
    .option('--detectors <list>', 'single detectors', 'range,robust,zscore,holt,seasonal')
    .option('--refractory <list>', 'K values for the refractory transform', '0,20,100,400')
    .option('--nab <dir>', 'NAB data folder', defaultNabDir())
    .parse()
    .opts<{ dir: string; ensemble: string; detectors: string; refractory: string; nab: string }>();
  const corpus = loadCorpus(opts.nab);
  const names = opts.detectors.split(',').filter((d) => existsSync(join(opts.dir, d)));
  const runs = Object.fromEntries(names.map((d) => [d, readDetectorResults(join(opts.dir, d), d, corpus.files)]));
  const rows: Array<Array<string | number>> = [];
  const score = (label: string, anomalies: Float64Array[]) => {
    const r = scoreCorpus(corpus, anomalies);
    rows.push([label, ...r.map((x) => x.normalized.toFixed(2)), `${r[0]?.totals.windowsHit}`, `${r[0]?.totals.fp}`]);
  };
  for (let mask = 1; mask < 1 << names.length; mask++) {
    const subset = names.filter((_, i) => mask & (1 << i));
    for (const [cname, comb] of Object.entries(COMBINERS)) {
      if (subset.length === 1 && cname !== 'max') continue;
      if (subset.length === 2 && cname === 'second') continue;
      const anomalies = corpus.files.map((f, k) => {
        const out = new Float64Array(f.layout.rows);
        const series = subset.map((d) => (runs[d] as Float64Array[])[k] as Float64Array);
        const vals = new Float64Array(subset.length);
        for (let i = 0; i < out.length; i++) {
          for (let s = 0; s < series.length; s++) vals[s] = (series[s] as Float64Array)[i] as number;
          out[i] = comb(vals);
        }
        return out;
      });
      score(`${cname}(${subset.join('+')})`, anomalies);
    }
  }
  if (existsSync(join(opts.dir, opts.ensemble))) {
    const ens = readDetectorResults(join(opts.dir, opts.ensemble), opts.ensemble, corpus.files);
    for (const k of opts.refractory.split(',').map(Number)) {
      score(
        `${opts.ensemble} refractory K=${k}`,
        ens.map((a) => refractory(a, k)),
      );
    }
  }
  rows.sort((a, b) => Number(b[1]) - Number(a[1]));
  process.stdout.write(`${table(['combination', 'standard', 'low_FP', 'low_FN', 'hit (std)', 'FP (std)'], rows)}\n`);
}

main();
