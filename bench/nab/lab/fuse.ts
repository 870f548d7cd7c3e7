import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { corpus, evaluate, fmt, maxOf, run } from './core.js';

const dets = DEFAULT_DETECT_YAML.detectors as unknown as unknown[];
const base = dets.map((d) => run([d]));
const comb = maxOf(base);
console.log(fmt('max', evaluate(comb)));
const noisyOr = corpus.files.map((f, k) => {
  const o = new Float64Array(f.layout.rows);
  for (let i = 0; i < o.length; i++) {
    let p = 1;
    for (const b of base) p *= 1 - b[k]![i]!;
    o[i] = 1 - p;
  }
  return o;
});
console.log(fmt('noisy-or', evaluate(noisyOr)));
// hold: after a row >= L, rows within K that do not beat the held peak are zeroed
for (const L of [0.5, 0.58, 0.65]) {
  for (const K of [20, 100, 300, 1000]) {
    const held = comb.map((a) => {
      const o = new Float64Array(a.length);
      let last = -1e9;
      let peak = 0;
      for (let i = 0; i < a.length; i++) {
        const s = a[i]!;
        const inHold = i - last <= K;
        o[i] = inHold && s <= peak ? 0 : s;
        if (s >= L) {
          if (!inHold || s > peak) peak = s;
          last = i;
        }
      }
      return o;
    });
    console.log(fmt(`hold L ${L} K ${K}`, evaluate(held)));
  }
}
