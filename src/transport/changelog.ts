/**
 * A compacted changelog topic (Kafka Streams' idea): the latest value per key survives, older
 * ones are cleaned away, so reading a partition from its beginning to its end yields the current
 * value of every key. Small segments keep the uncompacted tail — what a restore must read past
 * compaction — short: the active segment is never compacted.
 */
export const CHANGELOG_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  // roll a segment after 32 MB or 5 minutes, whichever first; the cleaner then compacts it
  'segment.bytes': String(32 * 1024 * 1024),
  'segment.ms': String(5 * 60_000),
  'min.cleanable.dirty.ratio': '0.2',
  // tombstones (a deleted key) stay readable for a day, then go
  'delete.retention.ms': String(86_400_000),
};

/** a changelog is read whole, partition by partition */
export {
  openPartitionReader as openChangelogReader,
  PartitionReadError,
  type PartitionReader as ChangelogReader,
  type ReadOptions,
} from './partition-reader.js';
