import type { Admin, Kafka } from 'kafkajs';
import { describeError, isRetriable } from '../../transport/errors.js';
import type { Log } from '../../transport/log.js';

/**
 * Where a NEW engine group starts: `lookbackMs` before now on every topic (by message timestamp), so a
 * standby started just after the leader acted still sees the incident and the leader's records, and a
 * new engine does not act on old history. A group with committed offsets resumes from them. Best
 * effort: on failure the group starts from the latest offsets.
 */
export async function seekNewGroup(
  kafka: Kafka,
  groupId: string,
  topics: string[],
  lookbackMs: number,
  log: Log,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // freshly created topics can answer "not the leader" for a moment: retry a few times
    for (let attempt = 1; ; attempt++) {
      try {
        await position(admin, groupId, topics, lookbackMs, log);
        return;
      } catch (e) {
        if (attempt >= 5 || !isRetriable(e)) throw e;
        await new Promise((r) => setTimeout(r, 300 * attempt));
      }
    }
  } catch (e) {
    log.warn('could not position the new engine group; it starts from the latest offsets', {
      groupId,
      error: describeError(e),
    });
  } finally {
    await admin.disconnect();
  }
}

async function position(admin: Admin, groupId: string, topics: string[], lookbackMs: number, log: Log) {
  const committed = await admin.fetchOffsets({ groupId, topics });
  const fresh = committed.filter((t) => t.partitions.every((p) => p.offset === '-1')).map((t) => t.topic);
  const since = Date.now() - lookbackMs;
  for (const topic of fresh) {
    const partitions = await admin.fetchTopicOffsetsByTimestamp(topic, since);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: partitions.map((p) => ({ partition: p.partition, offset: p.offset })),
    });
  }
  if (fresh.length > 0) log.info('new engine group: reading the last lookback of history', { groupId, lookbackMs });
}
