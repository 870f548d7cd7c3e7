// npx tsx bench/nab/lab/grid.ts '<json record override>' ... → default with every detector's record merged with the override
import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { evaluate, fmt, maxOf, run } from './core.js';

const dets = DEFAULT_DETECT_YAML.detectors as unknown as Array<{ record?: object }>;
for (const arg of process.argv.slice(2)) {
  const o = JSON.parse(arg);
  const runs = dets.map((d) => run([{ ...d, record: { ...(d.record ?? {}), ...o } }]));
  console.log(fmt(arg, evaluate(maxOf(runs))));
}
