export * from './errors.js';
export { startViewFeed, type ViewFeed, type ViewFeedOptions, type ViewFeedStats } from './feed.js';
export { createKafkaHealth, type KafkaHealthOptions } from './health.js';
export type { HealthCheck, Readiness } from './routes/health.js';
export { type PointSink, parseMetricsBody } from './routes/metrics.js';
export { type ApiDeps, buildApi, startApi } from './server.js';
export { producerSink } from './sink.js';
export { type AnomalyQuery, createViews, type SeriesQuery, type ViewLimits, type Views } from './views.js';
