import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { evaluate, fmt, maxOf, run } from './core.js';

const dets = (DEFAULT_DETECT_YAML.detectors as unknown as Array<Record<string, unknown>>).slice();
if (process.env.RQ) dets[0] = { ...dets[0], record: { margin: 0.8, quiet: Number(process.env.RQ), halfLife: 0 } };
const comb = maxOf(dets.map((d) => run([d])));
for (const L of [0.4, 0.5])
  for (const K of [5, 10, 20, 30, 40, 60]) {
    const held = comb.map((a) => {
      const o = new Float64Array(a.length);
      let since = 1e9;
      let peak = 0;
      for (let i = 0; i < a.length; i++) {
        const s = a[i]!;
        since++;
        const inHold = since <= K;
        o[i] = inHold && s <= peak ? 0 : s;
        if (s >= L && (!inHold || s > peak)) peak = s;
        if (s >= L) since = 0;
      }
      return o;
    });
    console.log(fmt(`RQ ${process.env.RQ ?? 10} hold L ${L} K ${K}`, evaluate(held)));
  }
