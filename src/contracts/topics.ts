/**
 * Every Kafka topic faultline reads or writes, in one place.
 * Stages never call each other: they read one topic and write another.
 */
export const TOPICS = {
  /** Raw metric points, key = series id. Input of the detect workers. */
  metrics: 'faultline.metrics',
  /** Per-series score batches written by the detect workers (key = series id). */
  scores: 'faultline.scores',
  /** Anomaly events decided by the alarm rules (key = series id). */
  anomalies: 'faultline.anomalies',
  /** Model predictions (fault probabilities, time to breach). */
  predictions: 'faultline.predictions',
  /** Remediation actions issued by the heal engine. */
  actions: 'faultline.actions',
  /** Verified outcomes of actions: labelled samples for learning. */
  outcomes: 'faultline.outcomes',
  /** Fault labels for training (historical fault samples). */
  labels: 'faultline.labels',
  /** Messages that failed validation, with their original bytes and the reason in headers. */
  dlq: 'faultline.dlq',
  /** Compacted changelog of per-series detector state (key = series id): warm handover between workers. */
  state: 'faultline.state',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Header names on dead-lettered messages (the value and key are the original bytes). */
export const DLQ_HEADERS = {
  topic: 'faultline.dlq.topic',
  partition: 'faultline.dlq.partition',
  offset: 'faultline.dlq.offset',
  error: 'faultline.dlq.error',
  stage: 'faultline.dlq.stage',
  at: 'faultline.dlq.at',
} as const;
