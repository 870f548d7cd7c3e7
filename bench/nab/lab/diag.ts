import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { evaluate, fmt, run, windows } from './core.js';

const dets = DEFAULT_DETECT_YAML.detectors as unknown as unknown[];
const a = run(dets);
const e = evaluate(a);
console.log(fmt('default', e));
console.log(windows(a, e.thr));
