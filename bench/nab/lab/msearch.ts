// npx tsx bench/nab/lab/msearch.ts '<json extra detectors>' [k list] → default ∪ extra with extra's margin / k
import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { evaluate, fmt, maxOf, rescale, run } from './core.js';

const base = (DEFAULT_DETECT_YAML.detectors as unknown as unknown[]).map((d) => run([d]));
const extra = JSON.parse(process.argv[2]!) as unknown[];
const ks = (process.argv[3] ?? '0.5,0.6,0.7,0.8,0.9,1,1.2').split(',').map(Number);
const runs = extra.map((d) => run([d]));
for (const k of ks) console.log(fmt(`k=${k}`, evaluate(maxOf([...base, ...runs.map((r) => rescale(r, k))]))));
