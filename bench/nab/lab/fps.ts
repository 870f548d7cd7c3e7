import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { NAB_PROFILES, sweepScore } from '../../../src/eval/nab/index.js';
import { corpus, evaluate, run } from './core.js';

const dets = DEFAULT_DETECT_YAML.detectors as unknown as unknown[];
const a = run(dets);
const e = evaluate(a);
const members = dets.map((d) => run([d]));
const names = dets.map((d) => (d as { kind: string }).kind);
const t = e.thr;
let total = 0;
const byGap: Record<string, number> = {};
corpus.files.forEach((f, k) => {
  const L = f.layout;
  let prev = -1e9;
  for (let i = L.firstScored; i < L.rows; i++) {
    const s = a[k]![i]!;
    if (s < t) continue;
    if (L.window[i]! < 0) {
      const cost = sweepScore(L, i, NAB_PROFILES[0]!);
      total += cost;
      const gap = i - prev;
      const g = gap <= 10 ? '<=10' : gap <= 50 ? '<=50' : gap <= 200 ? '<=200' : '>200';
      byGap[g] = (byGap[g] ?? 0) + 1;
      const who = names.filter((_, m) => members[m]![k]![i]! >= t).join('+');
      console.log(
        `${f.key.padEnd(55)} row ${String(i).padStart(6)} score ${s.toFixed(3)} cost ${cost.toFixed(3)} gap ${gap} by ${who}`,
      );
    }
    prev = i;
  }
});
console.log('total FP cost', total.toFixed(2), byGap);
