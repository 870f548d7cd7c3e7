/**
 * Replay and backtest: a pipeline over stored history (a CSV/JSONL file or a topic), with the
 * live worker's own code and time from the data, reporting what it would have flagged and, given
 * the anomaly events that actually happened, the difference.
 */
export { ActualEvents, type Comparison, compareEvents, type EventDifference } from './compare.js';
export { feedFile, feedTopic, readEventsFile, readEventsTopic } from './inputs.js';
export { type BacktestReport, buildReport, reportJson, reportText } from './report.js';
export { Backtest, type BacktestRun, type SeriesCount } from './run.js';
export {
  BacktestUsageError,
  type HistorySource,
  looksLikeFile,
  parseHistorySource,
  parseTime,
  type Window,
} from './source.js';
