// npx tsx bench/nab/lab/probe.ts '<json detectors>' → for each window missed by default: channel's max in it and the FP rows corpus-wide at that level
import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { corpus, evaluate, maxOf, run } from './core.js';

const base = maxOf((DEFAULT_DETECT_YAML.detectors as unknown as unknown[]).map((d) => run([d])));
const t = evaluate(base).thr;
for (const arg of process.argv.slice(2)) {
  const ch = maxOf((JSON.parse(arg) as unknown[]).map((d) => run([d])));
  // outside-window scored rows' channel scores, sorted desc
  const outside: number[] = [];
  corpus.files.forEach((f, k) => {
    const L = f.layout;
    for (let i = L.firstScored; i < L.rows; i++) if (L.window[i]! < 0 && ch[k]![i]! > 0) outside.push(ch[k]![i]!);
  });
  outside.sort((a, b) => b - a);
  const above = (v: number) => {
    let lo = 0;
    let hi = outside.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (outside[m]! >= v) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  console.log(arg);
  const lines: string[] = [];
  corpus.files.forEach((f, k) => {
    const L = f.layout;
    L.windows.forEach((_, wi) => {
      if (!L.scorable[wi]) return;
      let bm = 0;
      let cm = 0;
      let ci = -1;
      let lo = -1;
      let n = 0;
      for (let i = L.firstScored; i < L.rows; i++) {
        if (L.window[i] !== wi) continue;
        if (lo < 0) lo = i;
        n++;
        if (base[k]![i]! > bm) bm = base[k]![i]!;
        if (ch[k]![i]! > cm) {
          cm = ch[k]![i]!;
          ci = i;
        }
      }
      if (bm >= t) return;
      lines.push(
        `  ${f.key.slice(0, 50).padEnd(50)} w${wi} chmax ${cm.toFixed(3)}@${cm > 0 ? ((ci - lo) / n).toFixed(2) : '-'}  outside rows >= it: ${cm > 0 ? above(cm) : '-'}`,
      );
    });
  });
  console.log(lines.join('\n'));
}
