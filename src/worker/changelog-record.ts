import { z } from 'zod';
import type { PipelineConfig } from '../config/pipeline.js';
import { TOPICS } from '../contracts/topics.js';

/**
 * Records of the state changelog (a compacted topic, see src/transport/changelog.ts).
 *
 * - key = series id (`source|metric`), value = a SeriesCheckpoint: the series' scorer state after
 *   every input offset of its partition up to `offset` was applied. A null value (tombstone)
 *   deletes the series (it was evicted or expired: it would start afresh in the worker too).
 * - key = `checkpoint#<partition>` (no `|`: never a series id), value = a PartitionCheckpoint,
 *   written after all the series records of one checkpoint were acknowledged: every series of the
 *   partition that changed up to `offset` has a record covering `offset` (or later). A series
 *   without a record did not exist at `offset`.
 *
 * Written only once the outputs of every input up to `offset` were delivered (offset committed),
 * so a worker that resumes from a checkpoint never skips an output.
 */
export const CHANGELOG_VERSION = 1;

const Offset = z.string().regex(/^\d+$/, 'expected a decimal offset');

export const SeriesCheckpoint = z.object({
  v: z.literal(CHANGELOG_VERSION),
  kind: z.literal('series'),
  /** input partition of the series */
  partition: z.number().int().nonnegative(),
  /** last input offset the state covers */
  offset: Offset,
  /** wall-clock time the record was written (ms), for operators; never read by detection */
  ts: z.number(),
  /** newest data time of the series (ms); null when it has none */
  lastTs: z.number().nullable(),
  /** the scorer's per-series state (plain JSON; the scorer's revive() decides whether it fits) */
  state: z.unknown(),
});
export type SeriesCheckpoint = z.infer<typeof SeriesCheckpoint>;

export const PartitionCheckpoint = z.object({
  v: z.literal(CHANGELOG_VERSION),
  kind: z.literal('checkpoint'),
  partition: z.number().int().nonnegative(),
  offset: Offset,
  ts: z.number(),
  /** series records written by this checkpoint (the others did not change since the previous one) */
  series: z.number().int().nonnegative(),
});
export type PartitionCheckpoint = z.infer<typeof PartitionCheckpoint>;

export const ChangelogValue = z.discriminatedUnion('kind', [SeriesCheckpoint, PartitionCheckpoint]);
export type ChangelogValue = z.infer<typeof ChangelogValue>;

export const markerKey = (partition: number): string => `checkpoint#${partition}`;

/**
 * The changelog topic of a pipeline's worker group: `faultline.state` for the default group, else
 * `<groupId>.state` (one changelog per consumer group, as Kafka Streams names `<app>-changelog`).
 */
export function stateTopicFor(pipeline: Pick<PipelineConfig, 'worker'>): string {
  const g = pipeline.worker.groupId;
  return g === 'faultline-detect' ? TOPICS.state : `${g}.state`;
}

/** The changelog partition for an input partition (co-partitioned when the counts match). */
export const statePartition = (inputPartition: number, statePartitions: number): number =>
  inputPartition % Math.max(1, statePartitions);
