import type { Batch, Consumer, Kafka } from 'kafkajs';
import { sleep } from './load.js';

/**
 * A consumer reading `topic` for a benchmark (large fetches, short waits), resolved once it has
 * joined its group; the caller disconnects it.
 */
export async function benchReader(
  kafka: Kafka,
  topic: string,
  onBatch: (b: Batch) => void,
  opts: { fromBeginning?: boolean; concurrency?: number } = {},
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: `${topic}.bench-reader`,
    maxBytesPerPartition: 4 * 1_048_576,
    maxBytes: 32 * 1_048_576,
    maxWaitTimeInMs: 100,
  });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: opts.fromBeginning ?? true });
  await consumer.run({
    partitionsConsumedConcurrently: opts.concurrency ?? 4,
    eachBatch: async ({ batch }) => onBatch(batch),
  });
  while (!joined) await sleep(50);
  return consumer;
}
