// npx tsx bench/nab/lab/add.ts '<json array of extra detector configs>' ...  → default ∪ extra (max)
import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { evaluate, fmt, maxOf, run } from './core.js';

const base = (DEFAULT_DETECT_YAML.detectors as unknown as unknown[]).map((d) => run([d]));
console.log(fmt('default', evaluate(maxOf(base))));
for (const arg of process.argv.slice(2)) {
  const extra = JSON.parse(arg) as unknown[];
  const runs = extra.map((d) => run([d]));
  console.log(fmt(`alone ${arg}`, evaluate(maxOf(runs))));
  console.log(fmt(`+ ${arg}`, evaluate(maxOf([...base, ...runs]))));
}
