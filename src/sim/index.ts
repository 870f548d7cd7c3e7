export { type DemoHandle, type DemoOptions, type PointSink, startDemo } from './demo.js';
export { DEFAULT_NAB_SERIES, findNabSeries, nabDataDir, nabTicks } from './nab.js';
export { projectRoot } from './project-root.js';
export { createRng, type Rng } from './random.js';
export {
  createSimulator,
  DEFAULT_PROFILES,
  type FaultKind,
  type InjectedFault,
  type MetricProfile,
  type SimOptions,
  type Simulator,
} from './simulator.js';
