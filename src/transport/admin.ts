import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import type { Admin, Kafka } from 'kafkajs';
import { describeError, isRetriable, TopicError } from './errors.js';
import { type Log, silentLog } from './log.js';

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** topic-level configs for a new topic, e.g. { 'retention.ms': '604800000' } (existing topics are left as they are) */
  config?: Record<string, string>;
}

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
  /** human-readable warnings, e.g. an existing topic with fewer partitions than asked for */
  warnings: string[];
}

/** Retries a metadata read while freshly created topics propagate (about 15 s at most). */
const metadataRetry = retry(handleWhen(isRetriable), {
  maxAttempts: 10,
  backoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 2_000 }),
});

/**
 * Create the topics that don't exist yet; leave existing ones alone. Idempotent and safe to run
 * concurrently from several processes (a topic created in between counts as existing).
 *
 * Existing topics are never re-partitioned: adding partitions moves keys to other partitions, which
 * would split a series' state between workers. A topic with fewer partitions than asked for gets
 * a warning instead (it limits how many workers can share the load).
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: TopicSpec[],
  opts: { log?: Log; admin?: Admin } = {},
): Promise<EnsureTopicsResult> {
  const log = opts.log ?? silentLog;
  for (const s of specs) {
    if (!s.topic) throw new TopicError('ensureTopics: empty topic name', { retriable: false });
    if (!Number.isInteger(s.partitions) || s.partitions < 1)
      throw new TopicError(`ensureTopics: ${s.topic}: partitions must be a positive integer, got ${s.partitions}`, {
        retriable: false,
      });
  }
  const unique = [...new Map(specs.map((s) => [s.topic, s])).values()];
  const admin = opts.admin ?? kafka.admin();
  const result: EnsureTopicsResult = { created: [], existing: [], warnings: [] };
  if (!opts.admin) await admin.connect();
  try {
    const before = new Set(await admin.listTopics());
    const missing = unique.filter((s) => !before.has(s.topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.topic,
            numPartitions: s.partitions,
            configEntries: Object.entries(s.config ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (e) {
        // another process may have created some of them in between: re-check below
        if (!isRetriable(e) && !/already exists/i.test(describeError(e))) {
          throw new TopicError(
            `could not create topics ${missing.map((s) => s.topic).join(', ')}: ${describeError(e)}`,
            {
              retriable: false,
              cause: e,
            },
          );
        }
      }
    }
    // a topic just created (here or by a peer worker starting at the same moment) may not have its
    // metadata on every broker yet: "This server does not host this topic-partition" is transient
    const counts = await metadataRetry.execute(async () => {
      const meta = await admin.fetchTopicMetadata({ topics: unique.map((s) => s.topic) });
      const found = new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
      for (const s of unique) {
        const have = found.get(s.topic);
        if (have === undefined || have === 0)
          throw new TopicError(`topic ${s.topic} still missing after create`, { retriable: true });
      }
      return found;
    });
    for (const s of unique) {
      const have = counts.get(s.topic) as number;
      if (missing.includes(s)) result.created.push(s.topic);
      else result.existing.push(s.topic);
      if (have < s.partitions) {
        const w =
          `topic ${s.topic} exists with ${have} partition(s), fewer than the ${s.partitions} configured; ` +
          `left unchanged (adding partitions would move series keys between partitions). ` +
          `At most ${have} worker(s) can share its load; recreate the topic to change it.`;
        result.warnings.push(w);
        log.warn(w, { topic: s.topic, have, want: s.partitions });
      }
    }
    if (result.created.length > 0) log.info('created topics', { topics: result.created.join(',') });
    return result;
  } finally {
    if (!opts.admin) await admin.disconnect();
  }
}

/** Low and high watermarks of every partition of a topic (offsets as strings, as kafkajs gives them). */
export async function topicOffsets(admin: Admin, topic: string): Promise<Map<number, { low: string; high: string }>> {
  const rows = await admin.fetchTopicOffsets(topic);
  return new Map(rows.map((r) => [r.partition, { low: r.low, high: r.high }]));
}
