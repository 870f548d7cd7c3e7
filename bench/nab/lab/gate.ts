import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { corpus, evaluate, maxOf, run } from './core.js';

const dets = DEFAULT_DETECT_YAML.detectors as unknown as unknown[];
const base = dets.map((d) => run([d]));
const comb = maxOf(base);
const t = evaluate(comb).thr;
const W = Number(process.env.W ?? 64);
const rows: string[] = [];
corpus.files.forEach((f, k) => {
  const L = f.layout;
  const v = f.values;
  const seen = new Set<number>();
  for (let i = L.firstScored; i < L.rows; i++) {
    if (base[0]![k]![i]! < t) continue;
    const w = L.window[i]!;
    if (w >= 0 && seen.has(w)) continue;
    if (w >= 0) seen.add(w);
    const win = Array.from(v.slice(Math.max(0, i - W), i)).sort((a, b) => a - b);
    const med = win[win.length >> 1]!;
    const mad = win.map((x) => Math.abs(x - med)).sort((a, b) => a - b)[win.length >> 1]! * 1.4826;
    const sd = Math.sqrt(win.reduce((s, x) => s + (x - med) ** 2, 0) / win.length);
    const z = (v[i]! - med) / Math.max(mad, 1e-9);
    const zs = (v[i]! - med) / Math.max(sd, 1e-9);
    const others = base
      .slice(1)
      .map((b) => b[k]![i]!.toFixed(2))
      .join(' ');
    rows.push(
      `${w >= 0 ? 'HIT' : 'FP '} ${f.key.slice(0, 45).padEnd(45)} ${String(i).padStart(6)} range ${base[0]![k]![i]!.toFixed(3)} zMAD ${z.toFixed(1).padStart(7)} zSD ${zs.toFixed(1).padStart(6)} others ${others}`,
    );
  }
});
console.log(rows.sort().join('\n'));
