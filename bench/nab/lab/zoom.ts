// zoom plots of windows missed by the default: /tmp/z_<n>.png
import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { corpus, evaluate, maxOf, run } from './core.js';
import { plot } from './png.js';

const base = maxOf((DEFAULT_DETECT_YAML.detectors as unknown as unknown[]).map((d) => run([d])));
const t = evaluate(base).thr;
let n = 0;
const want = process.argv.slice(2);
corpus.files.forEach((f, k) => {
  const L = f.layout;
  L.windows.forEach((_, wi) => {
    if (!L.scorable[wi]) return;
    let lo = -1;
    let hi = -1;
    let bm = 0;
    for (let i = 0; i < L.rows; i++) {
      if (L.window[i] !== wi) continue;
      if (lo < 0) lo = i;
      hi = i;
      if (i >= L.firstScored && base[k]![i]! > bm) bm = base[k]![i]!;
    }
    if (bm >= t) return;
    const w = hi - lo + 1;
    const a = Math.max(0, lo - 4 * w);
    const b = Math.min(L.rows, hi + 2 * w);
    const name = `/tmp/z_${n++}.png`;
    if (want.length && !want.some((s) => f.key.includes(s))) return;
    plot(name, f.values.slice(a, b), [base[k]!.slice(a, b)], (i) => L.window[i + a]! >= 0, t);
    console.log(name, f.key, wi, a, b);
  });
});
