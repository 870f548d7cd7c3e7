import type { Kafka, KafkaMessage } from 'kafkajs';
import { seriesId } from '../contracts/series.js';
import { readLines } from '../ingest/lines.js';
import { readPointFile } from '../ingest/read.js';
import { type Log, silentLog } from '../transport/log.js';
import { openPartitionReader } from '../transport/partition-reader.js';
import type { ActualEvents } from './compare.js';
import type { Backtest } from './run.js';

const SLICE = 1_000;

const groupId = (what: string) => `faultline-backtest.${what}.${process.pid}.${Math.random().toString(36).slice(2, 8)}`;

function message(key: string, value: string, offset: number): KafkaMessage {
  return {
    key: Buffer.from(key),
    value: Buffer.from(value),
    offset: String(offset),
    timestamp: '0',
    attributes: 0,
    headers: {},
  } as KafkaMessage;
}

/**
 * A CSV/JSONL metrics file as one input partition, in file order (each point a message, as
 * `faultline replay` would produce it). Bad lines stop the backtest with the file and line.
 */
export async function feedFile(bt: Backtest, file: string, opts: { source?: string; metric?: string } = {}) {
  let buf: KafkaMessage[] = [];
  let offset = 0;
  for await (const row of readPointFile(file, opts)) {
    for (const p of row.points) {
      buf.push(message(seriesId(p.source, p.metric), JSON.stringify(p), offset++));
      if (buf.length >= SLICE) {
        bt.feed({ topic: file, partition: 0, messages: buf, replay: false });
        buf = [];
      }
    }
  }
  if (buf.length > 0) bt.feed({ topic: file, partition: 0, messages: buf, replay: false });
}

/**
 * Every message of `topic` retained now, partition by partition in offset order (deterministic:
 * the same retained log gives the same sequence). Nothing is committed.
 */
export async function feedTopic(bt: Backtest, kafka: Kafka, topic: string, log: Log = silentLog): Promise<void> {
  const reader = await openPartitionReader({ kafka, topic, groupId: groupId('history'), log });
  try {
    const n = await reader.partitions();
    for (let partition = 0; partition < n; partition++) {
      let buf: KafkaMessage[] = [];
      await reader.read(partition, (m) => {
        buf.push(m);
        if (buf.length >= SLICE) {
          bt.feed({ topic, partition, messages: buf, replay: false });
          buf = [];
        }
      });
      if (buf.length > 0) bt.feed({ topic, partition, messages: buf, replay: false });
    }
  } finally {
    await reader.stop();
  }
}

/** anomaly events of a JSONL file (one AnomalyEvent per line) */
export async function readEventsFile(actual: ActualEvents, file: string): Promise<void> {
  for await (const { text } of readLines(file)) if (text.trim() !== '') actual.add(text);
}

/** every anomaly event retained in `topic` */
export async function readEventsTopic(actual: ActualEvents, kafka: Kafka, topic: string, log: Log = silentLog) {
  const reader = await openPartitionReader({ kafka, topic, groupId: groupId('events'), log });
  try {
    const n = await reader.partitions();
    for (let partition = 0; partition < n; partition++) {
      await reader.read(partition, (m) => actual.add(m.value === null ? null : m.value.toString('utf8')));
    }
  } finally {
    await reader.stop();
  }
}
