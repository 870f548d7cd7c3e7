// npx tsx bench/nab/lab/swap.ts <index> '<json detector>' ... → default with detector[index] replaced
import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { evaluate, fmt, maxOf, rescale, run } from './core.js';

const dets = DEFAULT_DETECT_YAML.detectors as unknown as unknown[];
const base = dets.map((d) => run([d]));
const idx = Number(process.argv[2]);
const ks = (process.env.KS ?? '1').split(',').map(Number);
for (const arg of process.argv.slice(3)) {
  const r = run([JSON.parse(arg)]);
  for (const k of ks) {
    const runs = base.slice();
    runs[idx] = k === 1 ? r : rescale(r, k);
    console.log(fmt(`${k} ${arg}`.slice(0, 120), evaluate(maxOf(runs))));
  }
}
