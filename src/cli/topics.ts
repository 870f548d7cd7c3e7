import type { PipelineConfig } from '../config/pipeline.js';
import { TOPICS } from '../contracts/topics.js';
import type { TopicSpec } from '../transport/admin.js';

/**
 * The topics a pipeline reads and writes, with its partition count: the detect stage's, the
 * predictions, actions and outcomes of the predict worker and heal engine, and the labels topic
 * that POST /v1/labels writes and retraining reads.
 */
export function pipelineTopics(p: PipelineConfig): TopicSpec[] {
  const t = p.topics;
  const names = [
    t.metrics,
    t.scores,
    t.anomalies,
    t.dlq,
    t.predictions ?? TOPICS.predictions,
    t.actions ?? TOPICS.actions,
    t.outcomes ?? TOPICS.outcomes,
    TOPICS.labels,
  ];
  return [...new Set(names)].map((topic) => ({ topic, partitions: t.partitions }));
}
