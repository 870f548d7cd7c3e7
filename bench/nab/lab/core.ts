/**
 * NAB lab (exploration only): cached single-detector runs combined offline, scored with the
 * project's NAB scorer. Not part of the pipeline; `bench:nab` is the reference.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createSeriesScorer } from '../../../src/detect/index.js';
import { type Corpus, loadCorpus, prepareSweep, scoreCorpus } from '../../../src/eval/nab/index.js';
import { defaultNabDir } from '../paths.js';

export const corpus: Corpus = loadCorpus(defaultNabDir());
const CACHE = process.env.LAB_CACHE ?? '/tmp/labcache';
export const VERSION = process.env.LAB_VERSION ?? 'v1';

/** one detector (or a whole ensemble config) → its combined score per row per file (cached) */
export function run(detectors: unknown[], combine = 'max', nocache = false): Float64Array[] {
  const key = createHash('sha1')
    .update(JSON.stringify([VERSION, detectors, combine]))
    .digest('hex')
    .slice(0, 16);
  const path = `${CACHE}/${key}.bin`;
  const sizes = corpus.files.map((f) => f.layout.rows);
  if (!nocache && existsSync(path)) {
    const buf = readFileSync(path);
    const all = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
    let o = 0;
    return sizes.map((n) => {
      const a = all.slice(o, o + n);
      o += n;
      return a;
    });
  }
  const scorer = createSeriesScorer({
    detectors: detectors as never,
    ensemble: { combine: combine as never },
    alarms: [],
  });
  const out = corpus.files.map((f) => {
    const st = scorer.init();
    const a = new Float64Array(f.layout.rows);
    for (let i = 0; i < a.length; i++)
      a[i] = scorer.updateFast(st, f.timestamps[i]!, f.values[i]!, { source: 'n', metric: f.key }).score;
    return a;
  });
  const total = sizes.reduce((s, n) => s + n, 0);
  const all = new Float64Array(total);
  let o = 0;
  for (const a of out) {
    all.set(a, o);
    o += a.length;
  }
  if (!nocache) writeFileSync(path, Buffer.from(all.buffer));
  return out;
}

export function maxOf(runs: Float64Array[][]): Float64Array[] {
  return corpus.files.map((_, k) => {
    const n = (runs[0] as Float64Array[])[k]!.length;
    const o = new Float64Array(n);
    for (const r of runs) {
      const a = r[k]!;
      for (let i = 0; i < n; i++) if (a[i]! > o[i]!) o[i] = a[i]!;
    }
    return o;
  });
}

export interface Eval {
  std: number;
  fp: number;
  fn: number;
  hit: number;
  fpRows: number;
  thr: number;
  thrFN: number;
  hitFN: number;
}

export function evaluate(anoms: Float64Array[]): Eval {
  const r = scoreCorpus(corpus, anoms, {
    prepared: prepareSweep(corpus.files.map((f, k) => ({ layout: f.layout, anomaly: anoms[k]! }))),
  });
  return {
    std: r[0]!.normalized,
    fp: r[1]!.normalized,
    fn: r[2]!.normalized,
    hit: r[0]!.totals.windowsHit,
    fpRows: r[0]!.totals.fp,
    thr: r[0]!.threshold,
    thrFN: r[2]!.threshold,
    hitFN: r[2]!.totals.windowsHit,
  };
}

export function fmt(label: string, e: Eval): string {
  return `${label.padEnd(60)} ${e.std.toFixed(2)} ${e.fp.toFixed(2)} ${e.fn.toFixed(2)}  hit ${e.hit} fp ${e.fpRows} thr ${e.thr.toFixed(3)} | FN thr ${e.thrFN.toFixed(3)} hit ${e.hitFN}`;
}

/** per-window diagnostics at threshold t: missed windows with the best score inside them */
export function windows(anoms: Float64Array[], t: number) {
  const rows: string[] = [];
  corpus.files.forEach((f, k) => {
    const L = f.layout;
    const a = anoms[k]!;
    const fpc = (() => {
      let c = 0;
      for (let i = L.firstScored; i < L.rows; i++) if (L.window[i]! < 0 && a[i]! >= t) c++;
      return c;
    })();
    const per: string[] = [];
    L.windows.forEach((_w, wi) => {
      if (!L.scorable[wi]) return;
      let best = 0;
      let bestI = -1;
      let first = -1;
      let lo = -1;
      let hi = -1;
      for (let i = L.firstScored; i < L.rows; i++) {
        if (L.window[i] !== wi) continue;
        if (lo < 0) lo = i;
        hi = i;
        if (a[i]! > best) {
          best = a[i]!;
          bestI = i;
        }
        if (first < 0 && a[i]! >= t) first = i;
      }
      const pos = first >= 0 ? ((first - lo) / (hi - lo + 1)).toFixed(2) : '-';
      per.push(
        `${first >= 0 ? 'HIT' : 'miss'}@${pos} max ${best.toFixed(3)}@${((bestI - lo) / (hi - lo + 1)).toFixed(2)} [${lo}-${hi}]`,
      );
    });
    rows.push(`${f.key} (n=${L.rows}, FP ${fpc})\n    ${per.join('\n    ')}`);
  });
  return rows.join('\n');
}

/** the three normalised scores at fixed thresholds (curve view) */
export function curve(anoms: Float64Array[], ts: number[]) {
  const prepared = prepareSweep(corpus.files.map((f, k) => ({ layout: f.layout, anomaly: anoms[k]! })));
  return ts.map((t) => {
    const r = scoreCorpus(corpus, anoms, {
      prepared,
      thresholds: { standard: t, reward_low_FP_rate: t, reward_low_FN_rate: t },
    });
    return `t ${t.toFixed(3)}  ${r.map((x) => x.normalized.toFixed(2)).join(' ')}  hit ${r[0]!.totals.windowsHit} fp ${r[0]!.totals.fp}`;
  });
}

const GAMMA = Math.LN2 / Math.log(1.2);
/** record-scale score as if the margin were divided by k (k > 1: more sensitive) */
export function rescale(a: Float64Array[], k: number): Float64Array[] {
  return a.map((x) => {
    const o = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const s = x[i]!;
      if (s <= 0) continue;
      const r = (1 - s) ** (-1 / GAMMA) * k;
      o[i] = r > 1 ? 1 - r ** -GAMMA : 0;
    }
    return o;
  });
}
