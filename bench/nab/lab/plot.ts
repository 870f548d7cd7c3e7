// npx tsx bench/nab/lab/plot.ts <key substring> [from] [to]  → /tmp/labplot.png
import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { corpus, evaluate, run } from './core.js';
import { plot } from './png.js';

const [sub, from, to, out] = process.argv.slice(2);
const dets = DEFAULT_DETECT_YAML.detectors as unknown as unknown[];
const a = run(dets);
const e = evaluate(a);
const k = corpus.files.findIndex((f) => f.key.includes(sub!));
const f = corpus.files[k]!;
const lo = from ? Number(from) : 0;
const hi = to ? Number(to) : f.layout.rows;
const members = dets.map((d) => run([d])[k]!.slice(lo, hi));
plot(
  out ?? '/tmp/labplot.png',
  f.values.slice(lo, hi),
  [a[k]!.slice(lo, hi), ...members],
  (i) => f.layout.window[i + lo]! >= 0 || (i + lo < f.layout.firstScored && (i + lo) % 7 === 0),
  e.thr,
);
console.log(f.key, f.layout.rows, 'probation', f.layout.firstScored);
