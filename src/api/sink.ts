import type { MetricPoint } from '../contracts/index.js';
import type { BatchedProducer } from '../transport/producer.js';
import type { PointSink } from './routes/metrics.js';

/** The `sink` for `buildApi`: points go to `topic` through the transport's batched producer. */
export function producerSink(producer: Pick<BatchedProducer, 'sendPoints'>, topic: string): PointSink {
  return { sendPoints: (points: MetricPoint[]) => producer.sendPoints(topic, points) };
}
