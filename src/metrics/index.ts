/**
 * Prometheus metrics (`GET /metrics` on the API). Modules do not import prom-client: they are
 * instrumented from outside through their public stats()/status() calls and the `Metrics` facade.
 */
export { DETECTOR_LATENCY_BUCKETS, type TimedScorerOptions, timedScorer } from './detector-latency.js';
export { instrumentCoordinator, instrumentHeal, instrumentModels } from './heal.js';
export { instrumentKafka, type KafkaMetricsOptions, type WatchedGroup } from './kafka.js';
export {
  type CollectedSpec,
  type CounterHandle,
  createMetrics,
  type HistogramHandle,
  type Labels,
  type MetricSpec,
  type Metrics,
  type MetricsOptions,
  type Reading,
  type Sample,
} from './registry.js';
export { instrumentViews } from './views.js';
export { instrumentWorkers, type WorkerLike } from './worker.js';
