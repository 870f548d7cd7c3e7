import type { PipelineConfig } from '../config/pipeline.js';
import type { TopicSpec } from '../transport/admin.js';

/** The topics a pipeline reads and writes, with its partition count. */
export function pipelineTopics(p: PipelineConfig): TopicSpec[] {
  const { partitions } = p.topics;
  return [p.topics.metrics, p.topics.scores, p.topics.anomalies, p.topics.dlq].map((topic) => ({ topic, partitions }));
}
