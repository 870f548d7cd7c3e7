import { DEFAULT_DETECT_YAML } from '../../../src/detect/index.js';
import { curve, run } from './core.js';

const a = run(DEFAULT_DETECT_YAML.detectors as unknown as unknown[]);
console.log(curve(a, [0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.52, 0.55, 0.58, 0.6, 0.62, 0.65, 0.7]).join('\n'));
