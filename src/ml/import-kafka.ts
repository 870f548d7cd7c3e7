import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { Outcome } from '../contracts/outcome.js';
import { FaultSample } from '../contracts/samples.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { type Log, silentLog } from '../transport/log.js';
import { decodeMetricMessage } from '../transport/metric-codec.js';
import { openPartitionReader } from '../transport/partition-reader.js';

/**
 * Historical samples from Kafka: the metrics topic (MetricPoint messages, single or batched) and
 * fault topics (`faultline.labels`: FaultSample; `faultline.outcomes`: verified Outcomes, turned into
 * FaultSamples). Bounded: every partition is read from its earliest retained offset to the
 * high-water mark seen when the import starts; later messages are ignored. The result is written as
 * the documented file pair (metrics.jsonl + faults.jsonl), so training from Kafka is training from
 * files.
 */

/** The import could not run; `retriable` says whether trying again later can help. */
export class KafkaImportError extends Error {
  override readonly name = 'KafkaImportError';
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ImportProgress {
  topic: string;
  /** messages read so far (all topics) and the total to read (sum of high − low at the start) */
  read: number;
  total: number;
}

export interface KafkaImportOptions {
  kafka: Kafka;
  metricsTopic: string;
  /** topics of fault samples or outcomes (each message is decoded as either); may be empty */
  faultTopics?: readonly string[];
  /** folder for metrics.jsonl and faults.jsonl (created by the caller) */
  dir: string;
  onProgress?: (p: ImportProgress) => void;
  log?: Log;
}

export interface KafkaImport {
  metricsFile: string;
  /** null when no fault topic was given */
  faultsFile: string | null;
  points: number;
  faults: number;
  /** of which from outcomes */
  fromOutcomes: number;
  messages: number;
  /** messages that were not valid (skipped, counted) */
  invalid: number;
  /** offsets read per topic and partition: [low, high) at the start */
  offsets: Record<string, Array<{ partition: number; low: string; high: string }>>;
}

/** Text of a parse failure: the first issue's path and message. */
function firstIssue(e: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const i = e.issues[0];
  return i ? `${i.path.map(String).join('.') || '(root)'}: ${i.message}` : 'invalid';
}

/**
 * A verified outcome as evidence of a real fault: only successful primary outcomes count (the
 * engine's verification saw the metrics abnormal and then back to normal, which dates the fault);
 * `target` is the source. The fault ran from its onset (`details.sinceOnsetMs` before the verdict;
 * else the action, `timeToRecoverMs` before it) to the verdict. Others give null.
 */
export function outcomeToSample(o: Outcome): FaultSample | null {
  if (!o.success || o.details['companionOf'] !== undefined) return null;
  const since = o.details['sinceOnsetMs'];
  const back = typeof since === 'number' && since >= 0 ? since : o.timeToRecoverMs;
  if (back === null || !Number.isFinite(back)) return null;
  return {
    v: SCHEMA_VERSION,
    source: o.target,
    start: o.verifiedAt - back,
    end: o.verifiedAt,
    type: o.faultType,
    severity: 'critical',
  };
}

/**
 * One list of fault samples without duplicates: samples of the same source and type that overlap
 * (or touch) are merged into one spanning both, keeping the highest severity. Sorted by source, start.
 */
export function mergeFaults(...lists: ReadonlyArray<readonly FaultSample[]>): FaultSample[] {
  const rank = { info: 0, warning: 1, critical: 2 } as const;
  const all = lists
    .flat()
    .slice()
    .sort((a, b) =>
      a.source < b.source
        ? -1
        : a.source > b.source
          ? 1
          : a.type < b.type
            ? -1
            : a.type > b.type
              ? 1
              : a.start - b.start,
    );
  const out: FaultSample[] = [];
  for (const f of all) {
    const last = out[out.length - 1];
    if (last && last.source === f.source && last.type === f.type && f.start <= last.end) {
      last.end = Math.max(last.end, f.end);
      if (rank[f.severity] > rank[last.severity]) last.severity = f.severity;
      continue;
    }
    out.push({ ...f });
  }
  return out.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.start - b.start));
}

/** A fault topic's message: a FaultSample, or an Outcome (has `actionId`). */
export function decodeFaultMessage(
  value: Buffer | null,
): { ok: true; sample: FaultSample | null; outcome: Outcome | null } | { ok: false; error: string } {
  if (!value || value.length === 0) return { ok: false, error: 'empty value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (typeof json === 'object' && json !== null && 'actionId' in json) {
    const r = Outcome.safeParse(json);
    return r.success
      ? { ok: true, sample: null, outcome: r.data }
      : { ok: false, error: `outcome ${firstIssue(r.error)}` };
  }
  const r = FaultSample.safeParse(json);
  return r.success ? { ok: true, sample: r.data, outcome: null } : { ok: false, error: `label ${firstIssue(r.error)}` };
}

/** Collects fault messages (labels and outcomes) into one merged list of FaultSamples. */
export class FaultCollector {
  private readonly samples: FaultSample[] = [];
  private readonly outcomes: Outcome[] = [];

  /** Adds one message value; returns the reason when it is not a valid label or outcome. */
  add(value: Buffer | null): string | null {
    const d = decodeFaultMessage(value);
    if (!d.ok) return d.error;
    if (d.sample) this.samples.push(d.sample);
    if (d.outcome) this.outcomes.push(d.outcome);
    return null;
  }

  result(): { faults: FaultSample[]; fromOutcomes: number; labels: number } {
    const fromOutcomes = this.outcomes.map(outcomeToSample).filter((s): s is FaultSample => s !== null);
    return {
      faults: mergeFaults(this.samples, fromOutcomes),
      fromOutcomes: fromOutcomes.length,
      labels: this.samples.length,
    };
  }
}

/** Read fault topics (labels and/or outcomes) up to their high-water marks at the start. */
export async function importFaults(opts: {
  kafka: Kafka;
  topics: readonly string[];
  log?: Log;
}): Promise<{ faults: FaultSample[]; fromOutcomes: number; labels: number; messages: number; invalid: number }> {
  const log = opts.log ?? silentLog;
  const offsets = await offsetsOf(opts.kafka, opts.topics);
  const collected = new FaultCollector();
  let messages = 0;
  let invalid = 0;
  for (const topic of opts.topics)
    await readTopic(
      opts.kafka,
      topic,
      offsets[topic] ?? [],
      (value) => {
        messages++;
        const err = collected.add(value);
        if (err && ++invalid <= 20) log.warn('import skipped an invalid message', { topic, error: err });
      },
      log,
    );
  return { ...collected.result(), messages, invalid };
}

const groupId = () => `faultline-import.${process.pid}.${randomBytes(4).toString('hex')}`;

async function offsetsOf(kafka: Kafka, topics: readonly string[]): Promise<KafkaImport['offsets']> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (err) {
    throw new KafkaImportError(`cannot reach Kafka: ${(err as Error).message}`, true, { cause: err });
  }
  try {
    const existing = new Set(await admin.listTopics());
    const out: KafkaImport['offsets'] = {};
    for (const topic of topics) {
      if (!existing.has(topic)) throw new KafkaImportError(`topic ${JSON.stringify(topic)} does not exist`, false);
      const rows = await admin.fetchTopicOffsets(topic);
      out[topic] = rows
        .map((r) => ({ partition: r.partition, low: r.low, high: r.high }))
        .sort((a, b) => a.partition - b.partition);
    }
    return out;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Read every retained message of `topic` below the start offsets, partition by partition. */
async function readTopic(
  kafka: Kafka,
  topic: string,
  offsets: KafkaImport['offsets'][string],
  onMessage: (value: Buffer | null) => void,
  log: Log,
): Promise<void> {
  const todo = offsets.filter((o) => BigInt(o.high) > BigInt(o.low));
  if (todo.length === 0) return;
  const reader = await openPartitionReader({ kafka, topic, groupId: groupId(), log });
  try {
    for (const o of todo) {
      const high = BigInt(o.high);
      await reader.read(o.partition, (m) => {
        if (BigInt(m.offset) < high) onMessage(m.value);
      });
    }
  } finally {
    await reader.stop();
  }
}

/** Import the metrics topic and the fault topics into `dir`/metrics.jsonl and `dir`/faults.jsonl. */
export async function importFromKafka(opts: KafkaImportOptions): Promise<KafkaImport> {
  const log = opts.log ?? silentLog;
  const faultTopics = [...(opts.faultTopics ?? [])];
  const topics = [opts.metricsTopic, ...faultTopics];
  const offsets = await offsetsOf(opts.kafka, topics);
  let total = 0;
  for (const t of topics) for (const o of offsets[t] ?? []) total += Number(BigInt(o.high) - BigInt(o.low));
  let read = 0;
  let invalid = 0;
  const tick = (topic: string) => {
    read++;
    if (opts.onProgress && (read % 2000 === 0 || read === total)) opts.onProgress({ topic, read, total });
  };
  const skip = (topic: string, error: string) => {
    invalid++;
    if (invalid <= 20) log.warn('import skipped an invalid message', { topic, error });
  };
  opts.onProgress?.({ topic: opts.metricsTopic, read: 0, total });

  const metricsFile = join(opts.dir, 'metrics.jsonl');
  const out = createWriteStream(metricsFile);
  const closed = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let points = 0;
  try {
    await readTopic(
      opts.kafka,
      opts.metricsTopic,
      offsets[opts.metricsTopic] ?? [],
      (value) => {
        tick(opts.metricsTopic);
        const d = decodeMetricMessage(value);
        if (!d.ok) return skip(opts.metricsTopic, d.error);
        let text = '';
        for (const p of d.value)
          text += `${JSON.stringify({ ts: p.ts, source: p.source, metric: p.metric, value: p.value })}\n`;
        points += d.value.length;
        out.write(text);
      },
      log,
    );
  } finally {
    out.end();
    await closed;
  }

  const collected = new FaultCollector();
  for (const topic of faultTopics) {
    await readTopic(
      opts.kafka,
      topic,
      offsets[topic] ?? [],
      (value) => {
        tick(topic);
        const err = collected.add(value);
        if (err) skip(topic, err);
      },
      log,
    );
  }
  const { faults, fromOutcomes } = collected.result();
  let faultsFile: string | null = null;
  if (faultTopics.length > 0) {
    faultsFile = join(opts.dir, 'faults.jsonl');
    await writeFile(faultsFile, faults.map((f) => `${JSON.stringify(f)}\n`).join(''));
  }
  opts.onProgress?.({ topic: topics[topics.length - 1] as string, read, total });
  return {
    metricsFile,
    faultsFile,
    points,
    faults: faults.length,
    fromOutcomes,
    messages: read,
    invalid,
    offsets,
  };
}
