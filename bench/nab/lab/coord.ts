// coordinate search of per-channel margin factors (offline rescale), optional hold K
import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { evaluate, fmt, maxOf, rescale, run } from './core.js';

const dets = DEFAULT_DETECT_YAML.detectors as unknown as unknown[];
const extra = process.argv[2] ? (JSON.parse(process.argv[2]) as unknown[]) : [];
const K = Number(process.env.HOLD ?? 0);
const base = [...dets, ...extra].map((d) => run([d]));
const hold = (comb: Float64Array[]) =>
  K === 0
    ? comb
    : comb.map((a) => {
        const o = new Float64Array(a.length);
        let last = -1e9;
        let peak = 0;
        for (let i = 0; i < a.length; i++) {
          const s = a[i]!;
          const inHold = i - last <= K;
          o[i] = inHold && s <= peak ? 0 : s;
          if (s >= 0.58) {
            if (!inHold || s > peak) peak = s;
            last = i;
          }
        }
        return o;
      });
const ks = base.map(() => 1);
const obj = (e: ReturnType<typeof evaluate>) => e.std + e.fn; // balance standard and low-FN
const ev = () => evaluate(hold(maxOf(base.map((r, i) => (ks[i] === 1 ? r : rescale(r, ks[i]!))))));
let best = ev();
console.log(fmt('start', best));
for (let pass = 0; pass < 2; pass++) {
  for (let c = 0; c < base.length; c++) {
    for (const f of [0.8, 0.9, 0.95, 1.05, 1.1, 1.25]) {
      const old = ks[c]!;
      ks[c] = old * f;
      const e = ev();
      if (obj(e) > obj(best) + 1e-9) {
        best = e;
        console.log(fmt(`ch${c} k=${ks[c]!.toFixed(3)}`, e));
      } else ks[c] = old;
    }
  }
}
console.log('ks', ks.map((k) => k.toFixed(3)).join(' '));
