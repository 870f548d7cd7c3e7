import { SingleBar } from 'cli-progress';
import type { MetricPoint } from '../../contracts/metric.js';
import { fileSize } from '../../ingest/lines.js';
import { readPointFile } from '../../ingest/read.js';
import { ensureTopics } from '../../transport/admin.js';
import { createKafka } from '../../transport/kafka.js';
import { createProducer } from '../../transport/producer.js';
import { existingBrokers } from '../brokers.js';
import { talkingToKafka, UsageError } from '../errors.js';
import { loadPipelineOption } from '../pipeline-option.js';
import { sleep, waitForShutdown } from '../signals.js';

export interface ReplayOptions {
  source?: string;
  metric?: string;
  speed?: string;
  brokers?: string;
  topic?: string;
  pipeline?: string;
  /** false: no progress bar (shown only when stderr is a terminal) */
  progress?: boolean;
}

export interface ReplaySummary {
  points: number;
  rows: number;
  seconds: number;
}

const BATCH = 1000;

export function parseSpeed(raw: string | undefined): number {
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(
      `--speed: expected 0 (as fast as possible) or a positive multiple of data time, got ${JSON.stringify(raw)}`,
    );
  return n;
}

/**
 * `faultline replay`: stream a CSV/JSONL file into the metrics topic. speed 0 = as fast as
 * possible; otherwise points are paced by their timestamps at `speed` × data time.
 */
export async function runReplay(file: string, opts: ReplayOptions): Promise<ReplaySummary> {
  const speed = parseSpeed(opts.speed);
  const { pipeline } = loadPipelineOption(opts.pipeline);
  const topic = opts.topic ?? pipeline.topics.metrics;
  const size = await fileSize(file);
  const rows = readPointFile(file, { source: opts.source, metric: opts.metric });
  const brokers = existingBrokers(opts.brokers, pipeline.kafka.brokers);
  const kafka = createKafka({ brokers, clientId: `${pipeline.kafka.clientId}-replay`, security: pipeline.kafka });
  await talkingToKafka(brokers, 'creating topic', () =>
    ensureTopics(kafka, [{ topic, partitions: pipeline.topics.partitions }]),
  );
  const producer = createProducer(kafka);
  await talkingToKafka(brokers, 'connecting the producer', () => producer.connect());

  const showBar = opts.progress !== false && Boolean(process.stderr.isTTY);
  const bar = new SingleBar({
    format: 'replay |{bar}| {percentage}% | {points} points | {rate} points/s',
    hideCursor: true,
    stream: process.stderr,
  });
  if (showBar) bar.start(size, 0, { points: 0, rate: 0 });

  let interrupted = false;
  const shutdown = waitForShutdown(() => {
    interrupted = true;
  });
  const started = Date.now();
  const summary: ReplaySummary = { points: 0, rows: 0, seconds: 0 };
  let batch: MetricPoint[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await talkingToKafka(brokers, 'sending points', () => producer.sendPoints(topic, batch));
    summary.points += batch.length;
    batch = [];
  };
  let t0: number | undefined;
  try {
    for await (const row of rows) {
      if (interrupted) break;
      if (speed > 0) {
        t0 ??= row.ts;
        const wait = started + (row.ts - t0) / speed - Date.now();
        if (wait > 5) {
          await flush();
          await sleep(wait);
        }
      }
      batch.push(...row.points);
      summary.rows++;
      if (batch.length >= BATCH) await flush();
      if (showBar) {
        const secs = Math.max(0.001, (Date.now() - started) / 1000);
        bar.update(row.bytes, { points: summary.points + batch.length, rate: Math.round(summary.points / secs) });
      }
    }
    await flush();
    if (showBar && !interrupted) bar.update(size);
  } finally {
    if (showBar) bar.stop();
    shutdown.dispose();
    await producer.disconnect();
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
