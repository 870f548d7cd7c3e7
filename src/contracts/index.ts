export * from './anomaly.js';
export * from './metric.js';
export * from './score.js';
export * from './series.js';
export * from './topics.js';
export * from './version.js';
