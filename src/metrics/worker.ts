import type { DetectWorkerStats } from '../worker/detect-worker.js';
import type { Metrics } from './registry.js';

/** What a detect worker running in this process exposes (`startDetectWorker`'s handle fits). */
export interface WorkerLike {
  stats(): DetectWorkerStats;
  assignedPartitions(): number[];
}

type Totals = Exclude<
  { [K in keyof DetectWorkerStats]: DetectWorkerStats[K] extends number ? K : never }[keyof DetectWorkerStats],
  undefined
>;

const COUNTERS: Array<[Totals, string, string]> = [
  ['points', 'points_processed_total', 'Metric points scored live (replays not counted)'],
  [
    'replayedPoints',
    'points_replayed_total',
    'Points re-read to rebuild series state after a partition (re)assignment',
  ],
  ['dlq', 'dlq_messages_total', 'Messages this worker sent to the dead-letter topic'],
  ['events', 'anomaly_events_total', 'Anomaly events produced (firing and resolved)'],
  ['firing', 'anomalies_fired_total', 'Anomaly events produced in state firing'],
  ['scoreMessages', 'score_messages_total', 'SeriesScores messages produced'],
  ['batches', 'batches_total', 'Batches consumed'],
  ['commits', 'commits_total', 'Offset commits'],
  ['commitFailures', 'commit_failures_total', 'Offset commits that failed'],
  ['retries', 'retries_total', 'Batch retries'],
  ['poisonBatches', 'poison_batches_total', 'Batches that could not be processed and were dead-lettered'],
  ['rebuilds', 'state_rebuilds_total', 'Partition state rebuilds by replay'],
  ['evictedSeries', 'series_evicted_total', 'Series state dropped by the maxSeries bound'],
  ['expiredSeries', 'series_expired_total', 'Series state dropped by the seriesTtl'],
  ['keyMismatches', 'key_mismatches_total', 'Messages keyed other than source|metric'],
];

/**
 * Metrics of the detect workers running in this process, read from their `stats()` at scrape time,
 * labelled `worker` (several may run in one process). `workers` is called at every scrape, so
 * workers started or stopped later are followed.
 */
export function instrumentWorkers(metrics: Metrics, workers: () => ReadonlyArray<{ id: string; worker: WorkerLike }>) {
  const each = (fn: (s: DetectWorkerStats, w: WorkerLike) => number) => () =>
    workers().map(({ id, worker }) => ({ labels: { worker: id }, value: fn(worker.stats(), worker) }));

  for (const [key, suffix, help] of COUNTERS) {
    metrics.counterFrom({
      name: `faultline_worker_${suffix}`,
      help,
      labelNames: ['worker'],
      collect: each((s) => s[key]),
    });
  }
  metrics.gauge({
    name: 'faultline_worker_lag_messages',
    help: 'Messages behind the high watermark on the partitions the worker holds (as of its last batches)',
    labelNames: ['worker'],
    collect: each((s) => s.lag),
  });
  metrics.gauge({
    name: 'faultline_worker_series',
    help: 'Series whose detector state the worker holds',
    labelNames: ['worker'],
    collect: each((s) => s.series),
  });
  metrics.gauge({
    name: 'faultline_worker_assigned_partitions',
    help: 'Partitions of the metrics topic the worker holds',
    labelNames: ['worker'],
    collect: each((_s, w) => w.assignedPartitions().length),
  });
}
