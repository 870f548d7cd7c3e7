/**
 * End-to-end benchmark through the real broker (`npm run bench` runs it; see bench/run.ts).
 *
 * Phases on fresh topics, each worker a separate process as in production:
 *  1. raw kafkajs: points produced with a plain kafkajs producer → a plain kafkajs consumer
 *     (bench/raw-consumer.ts, a child process) that only counts them. The baseline.
 *  2. e2e throughput: the same points, produced with faultline's producer, into the metrics topic
 *     → the detect worker (src/worker/main.ts, a child process: validate, score, produce
 *     SeriesScores + events, commit) → counted at the output, the scores topic, by a consumer here.
 *     e2e_points_per_sec is the sustained rate (10 %→90 % of the points scored).
 *  3. latency: points paced at `latencyRate` (20,000/s) whose `ts` is their produce time (ms), with
 *     spikes injected at a known rate (each on a different, warmed-up series) and an alarm rule
 *     with minHits 1; latency = arrival of the firing event at a consumer of the anomalies topic −
 *     the spike's produce time. Run with emitScores on (the default pipeline: the headline
 *     figure) and again with it off (only events written), to show what the score stream costs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Batch, CompressionTypes, type Kafka, type Message, Partitioners } from 'kafkajs';
import { stringify } from 'yaml';
import { loadPipeline } from '../src/config/load.js';
import type { PipelineConfig } from '../src/config/pipeline.js';
import type { AnomalyEvent } from '../src/contracts/anomaly.js';
import type { MetricPointInput } from '../src/contracts/metric.js';
import { seriesId } from '../src/contracts/series.js';
import { ensureTopics } from '../src/transport/admin.js';
import { createKafka } from '../src/transport/kafka.js';
import { createProducer } from '../src/transport/producer.js';
import { stopChild } from './lib/child.js';
import { pointAt, sleep } from './lib/load.js';
import { benchReader } from './lib/reader.js';

export interface E2eBenchOptions {
  brokers: string[];
  /** points for the raw and the throughput phases (default 500,000) */
  points?: number;
  /** series the points are spread over (default 1,000) */
  series?: number;
  /** partitions of every bench topic (default 6, as the default pipeline) */
  partitions?: number;
  /** paced rate of the latency phase (default 20,000 points/s) */
  latencyRate?: number;
  /** length of the latency phase (default 20 s; spikes start after 5 s of warm-up) */
  latencySeconds?: number;
  /** injected spikes per second in the latency phase (default 40) */
  spikesPerSecond?: number;
  /** pipeline file the detectors come from (default pipelines/default.yaml) */
  pipelineFile?: string;
  /** points per metrics message for faultline's producer (default 100; 1 = one point per message) */
  pointsPerMessage?: number;
  /** also measure latency with emitScores off (default true) */
  latencyWithoutScores?: boolean;
  progress?: (msg: string) => void;
}

export interface E2eBenchResult {
  /** points per metrics message the pipeline phases produced (the raw phase always sends 1) */
  points_per_message: number;
  e2e_points_per_sec: number;
  raw_kafkajs_points_per_sec: number;
  e2e_latency_p50_ms: number;
  e2e_latency_p99_ms: number;
  /** e2e / raw */
  e2e_to_raw_ratio: number;
  /** including ramp-up: all points / (last scored − first produced) */
  e2e_overall_points_per_sec: number;
  raw_points: number;
  e2e_points: number;
  latency_rate_achieved: number;
  latency_samples: number;
  latency_spikes_injected: number;
  latency_p90_ms: number;
  latency_max_ms: number;
  /** how long the input producer waited for broker acks during the latency phase (a saturation signal) */
  latency_produce_ack_p50_ms: number;
  latency_produce_ack_p99_ms: number;
  /** the same latency phase with emitScores off (only anomaly events written) */
  e2e_latency_p50_ms_no_scores: number | null;
  e2e_latency_p99_ms_no_scores: number | null;
}

/** deterministic point i of a synthetic load spread round-robin over `series` series */
function toMessage(p: MetricPointInput): Message {
  return { key: seriesId(p.source, p.metric), value: JSON.stringify(p) };
}

/** produce points [0, n) with a plain kafkajs producer: chunks of `chunk`, up to `inFlight` requests at once */
async function produceRaw(
  kafka: Kafka,
  topic: string,
  n: number,
  series: number,
  onProgress: (sent: number) => void,
): Promise<void> {
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const chunk = 4_000;
  const inFlight = 3;
  let next = 0;
  let sent = 0;
  const lane = async () => {
    while (next < n) {
      const from = next;
      const to = Math.min(n, from + chunk);
      next = to;
      const messages: Message[] = new Array(to - from);
      for (let i = from; i < to; i++) messages[i - from] = toMessage(pointAt(i, series));
      await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
      sent += to - from;
      onProgress(sent);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  await producer.disconnect();
}

/** produce points [0, n) with faultline's BatchedProducer (what the API and `replay` use) */
async function producePipeline(
  kafka: Kafka,
  topic: string,
  n: number,
  series: number,
  onProgress: (sent: number) => void,
): Promise<void> {
  const producer = createProducer(kafka, { pointsPerMessage });
  await producer.connect();
  const chunk = 4_000;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    const points: MetricPointInput[] = new Array(to - from);
    for (let i = from; i < to; i++) points[i - from] = pointAt(i, series);
    const p: Promise<void> = producer.sendPoints(topic, points).then(() => {
      sent += to - from;
      onProgress(sent);
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await producer.disconnect();
}

interface ChildHandle {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnTs(script: string, args: string[], onLine?: (line: string) => void): ChildHandle {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FAULTLINE_KAFKA_LOG_LEVEL: process.env.FAULTLINE_KAFKA_LOG_LEVEL ?? 'error' },
  });
  let out = '';
  const keep = (s: string) => {
    out += `${s}\n`;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      keep(line);
      onLine?.(line);
    });
  }
  // 'close' (not 'exit'): every line of output has been read by then
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

function waitLine(c: ChildHandle, re: RegExp, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = setInterval(() => {
      if (re.test(c.output())) done(null);
    }, 50);
    const timer = setTimeout(
      () => done(new Error(`timed out waiting for ${what}\n${c.output().slice(-4000)}`)),
      timeoutMs,
    );
    const onExit = (code: number | null) =>
      done(re.test(c.output()) ? null : new Error(`${what}: process exited (${code})\n${c.output().slice(-4000)}`));
    c.proc.once('close', onExit);
    function done(e: Error | null) {
      clearInterval(check);
      clearTimeout(timer);
      c.proc.off('close', onExit);
      if (e) reject(e);
      else resolve();
    }
  });
}

const STATUS_KEY = Buffer.from('"status":');
function countStatus(b: Buffer | null): number {
  if (!b) return 0;
  let n = 0;
  for (let i = b.indexOf(STATUS_KEY); i !== -1; i = b.indexOf(STATUS_KEY, i + STATUS_KEY.length)) n++;
  return n;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface BenchContext {
  kafka: Kafka;
  brokers: string[];
  say: (m: string) => void;
  children: ChildHandle[];
  consumers: Array<{ disconnect(): Promise<void> }>;
  topics: string[];
  dir: string;
  prefix: string;
  partitions: number;
}

/** a pipeline of fresh topics for one phase: the default detectors; an alarm that fires on one extreme point */
function benchPipeline(ctx: BenchContext, base: PipelineConfig, name: string, emitScores: boolean): PipelineConfig {
  const t = `${ctx.prefix}.${name}`;
  const pipeline: PipelineConfig = {
    ...base,
    name: `bench-${name}`,
    kafka: { ...base.kafka, brokers: ctx.brokers },
    topics: {
      partitions: ctx.partitions,
      metrics: `${t}.metrics`,
      scores: `${t}.scores`,
      anomalies: `${t}.anomalies`,
      dlq: `${t}.dlq`,
    },
    worker: { ...base.worker, groupId: `${t}.detect`, emitScores },
    alarms: [
      { name: 'spike', threshold: 0.9, minHits: 1, window: 1_000, suppress: 0, recover: 1_000, severity: 'critical' },
    ],
  };
  ctx.topics.push(pipeline.topics.metrics, pipeline.topics.scores, pipeline.topics.anomalies, pipeline.topics.dlq);
  return pipeline;
}

/** the detect worker as a separate process (as in production), joined to its group */
async function startWorker(ctx: BenchContext, pipeline: PipelineConfig): Promise<ChildHandle> {
  const file = join(ctx.dir, `${pipeline.name}.yaml`);
  writeFileSync(file, stringify(pipeline));
  await ensureTopics(
    ctx.kafka,
    [pipeline.topics.metrics, pipeline.topics.scores, pipeline.topics.anomalies, pipeline.topics.dlq].map((topic) => ({
      topic,
      partitions: ctx.partitions,
    })),
  );
  const worker = spawnTs('src/worker/main.ts', [
    '--pipeline',
    file,
    '--brokers',
    ctx.brokers.join(','),
    '--log-level',
    process.env.FAULTLINE_BENCH_WORKER_LOG ? 'debug' : 'info',
    '--stats-every',
    '0',
  ]);
  ctx.children.push(worker);
  await waitLine(worker, /joined group/, 60_000, 'the worker to join its group');
  return worker;
}

async function stopWorker(worker: ChildHandle, label: string): Promise<void> {
  // FAULTLINE_BENCH_WORKER_LOG=<file>: keep the worker's log (debug level: per batch its age,
  // compute and delivery times) for diagnosis
  const keep = process.env.FAULTLINE_BENCH_WORKER_LOG;
  await stopChild(worker);
  if (keep) writeFileSync(`${keep}.${label}`, worker.output());
}

async function consumerOn(ctx: BenchContext, topic: string, fromBeginning: boolean, onBatch: (b: Batch) => void) {
  const consumer = await benchReader(ctx.kafka, topic, onBatch, { fromBeginning, concurrency: 3 });
  ctx.consumers.push(consumer);
  return consumer;
}

/** phase 1: plain kafkajs producer → plain kafkajs consumer (a child process) */
async function rawPhase(ctx: BenchContext, n: number, series: number): Promise<number> {
  const topic = `${ctx.prefix}.raw`;
  ctx.topics.push(topic);
  await ensureTopics(ctx.kafka, [{ topic, partitions: ctx.partitions }]);
  ctx.say(`raw kafkajs: ${fmt(n)} points, ${ctx.partitions} partitions`);
  let consumed = 0;
  const raw = spawnTs(
    'bench/raw-consumer.ts',
    ['--brokers', ctx.brokers.join(','), '--topic', topic, '--expect', String(n)],
    (line) => {
      const m = /^COUNT (\d+)/.exec(line);
      if (m) consumed = Number(m[1]);
    },
  );
  ctx.children.push(raw);
  await waitLine(raw, /^READY$/m, 60_000, 'the raw consumer to join');
  const start = Date.now();
  let sent = 0;
  const ticker = setInterval(
    () => ctx.say(`  raw: produced ${fmt(sent)} / ${fmt(n)}, consumed ${fmt(consumed)}`),
    1_000,
  );
  try {
    await produceRaw(ctx.kafka, topic, n, series, (s) => {
      sent = s;
    });
    await waitLine(raw, /^DONE /m, 300_000, 'the raw consumer to finish');
  } finally {
    clearInterval(ticker);
  }
  const done = /^DONE (\d+) (\d+)$/m.exec(raw.output());
  const rate = n / ((Number(done?.[2] ?? Date.now()) - start) / 1000);
  ctx.say(`  raw: ${fmt(rate)} points/s`);
  await stopChild(raw);
  return rate;
}

/** phase 2: faultline producer → worker process → scores topic, counted at the output */
async function throughputPhase(
  ctx: BenchContext,
  base: PipelineConfig,
  n: number,
  series: number,
): Promise<{ sustained: number; overall: number }> {
  const pipeline = benchPipeline(ctx, base, 'tput', true);
  ctx.say(`e2e: starting the detect worker process (${pipeline.detectors.length} detectors, emitScores on)`);
  const worker = await startWorker(ctx, pipeline);
  let scored = 0;
  const samples: Array<[number, number]> = [];
  // count points without parsing: each Score (JSON.stringify'd by the worker) has one "status" key
  const reader = await consumerOn(ctx, pipeline.topics.scores, true, (batch) => {
    for (const m of batch.messages) scored += countStatus(m.value);
    samples.push([Date.now(), scored]);
  });
  ctx.say(`e2e: ${fmt(n)} points → worker → scores topic`);
  const start = Date.now();
  let sent = 0;
  const ticker = setInterval(() => ctx.say(`  e2e: produced ${fmt(sent)} / ${fmt(n)}, scored ${fmt(scored)}`), 1_000);
  try {
    await producePipeline(ctx.kafka, pipeline.topics.metrics, n, series, (s) => {
      sent = s;
    });
    const deadline = Date.now() + 300_000;
    while (scored < n && Date.now() < deadline) await sleep(20);
  } finally {
    clearInterval(ticker);
  }
  if (scored < n)
    throw new Error(`e2e: only ${scored} of ${n} points scored within 5 minutes\n${worker.output().slice(-4000)}`);
  const at = (frac: number): [number, number] => samples.find(([, c]) => c >= frac * n) ?? [Date.now(), n];
  const [t10, c10] = at(0.1);
  const [t90, c90] = at(0.9);
  const sustained = (c90 - c10) / Math.max(0.001, (t90 - t10) / 1000);
  const overall = n / (((samples[samples.length - 1]?.[0] ?? Date.now()) - start) / 1000);
  ctx.say(`  e2e: ${fmt(sustained)} points/s sustained (${fmt(overall)} overall)`);
  await reader.disconnect();
  await stopWorker(worker, 'tput');
  return { sustained, overall };
}

interface LatencyResult {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  samples: number;
  spikes: number;
  achieved: number;
  ackP50: number;
  ackP99: number;
}

/** phase 3: paced points carrying their produce time; spikes → firing events → latency */
async function latencyPhase(
  ctx: BenchContext,
  base: PipelineConfig,
  o: { rate: number; seconds: number; spikesPerSecond: number; emitScores: boolean },
): Promise<LatencyResult> {
  const label = o.emitScores ? 'lat' : 'lat-noscores';
  const pipeline = benchPipeline(ctx, base, label, o.emitScores);
  ctx.say(
    `latency (emitScores ${o.emitScores ? 'on' : 'off'}): ${fmt(o.rate)} points/s for ${o.seconds} s, ~${o.spikesPerSecond} spikes/s after 5 s warm-up`,
  );
  const worker = await startWorker(ctx, pipeline);
  // enough series for one spike each at most (a series' repeated spikes score lower: heavy-tail
  // guard), few enough that each has ≥ 100 points (well past warm-up) when spikes start after 5 s
  const nSeries = Math.max(200, Math.floor((o.rate * 5) / 110));
  const spikedAt = new Map<string, number>(); // series id → produce time of its spike
  const latencies: number[] = [];
  const reader = await consumerOn(ctx, pipeline.topics.anomalies, false, (batch) => {
    const now = Date.now();
    for (const m of batch.messages) {
      const e = JSON.parse(m.value?.toString('utf8') ?? '{}') as AnomalyEvent;
      if (e.state !== 'firing') continue;
      const t = spikedAt.get(seriesId(e.source, e.metric));
      if (t !== undefined && e.startedAt === t) latencies.push(now - t);
    }
  });
  const producer = createProducer(ctx.kafka, { pointsPerMessage });
  await producer.connect();
  const start = Date.now();
  const end = start + o.seconds * 1000;
  let produced = 0;
  let spikes = 0;
  let counter = 0;
  const lastTs = new Map<number, number>();
  const acks: number[] = [];
  const pending: Promise<void>[] = [];
  let lastSay = start;
  while (Date.now() < end) {
    const now = Date.now();
    const due = Math.floor(((now - start) / 1000) * o.rate) - produced;
    if (due > 0) {
      const points: MetricPointInput[] = [];
      const spikesDue =
        now - start > 5_000 ? Math.floor(((now - start - 5_000) / 1000) * o.spikesPerSecond) - spikes : 0;
      let spikesLeft = spikesDue;
      for (let j = 0; j < due; j++) {
        const k = counter++ % nSeries;
        // data time = produce time (ms), strictly increasing per series
        const ts = Math.max(now, (lastTs.get(k) ?? 0) + 1);
        lastTs.set(k, ts);
        const source = `lat-${k}`;
        const noise = Math.sin(counter * 12.9898) * 43758.5453;
        let value = 50 + (noise - Math.floor(noise)) * 2;
        if (spikesLeft > 0 && !spikedAt.has(`${source}|cpu`) && Math.floor(counter / nSeries) >= 100) {
          value += 60;
          spikedAt.set(`${source}|cpu`, ts);
          spikesLeft--;
          spikes++;
        }
        points.push({ ts, source, metric: 'cpu', value });
      }
      produced += due;
      const sentAt = Date.now();
      pending.push(
        producer.sendPoints(pipeline.topics.metrics, points).then(() => {
          acks.push(Date.now() - sentAt);
        }),
      );
      if (pending.length > 64) await Promise.all(pending.splice(0, 32));
    }
    if (now - lastSay >= 1000) {
      lastSay = now;
      ctx.say(
        `  latency: produced ${fmt(produced)} (${fmt(produced / ((now - start) / 1000))}/s), spikes ${spikes}, events ${latencies.length}`,
      );
    }
    await sleep(2);
  }
  await Promise.all(pending);
  const achieved = produced / ((Date.now() - start) / 1000);
  const settle = Date.now() + 10_000;
  while (latencies.length < spikes && Date.now() < settle) await sleep(50);
  await producer.disconnect();
  await reader.disconnect();
  await stopWorker(worker, label);
  const sorted = [...latencies].sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  const r: LatencyResult = {
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    samples: sorted.length,
    spikes,
    achieved,
    ackP50: quantile(acks, 0.5),
    ackP99: quantile(acks, 0.99),
  };
  ctx.say(
    `  latency: p50 ${r.p50} ms, p99 ${r.p99} ms over ${r.samples} of ${spikes} spikes at ${fmt(achieved)} points/s (input produce acks p50 ${r.ackP50} ms, p99 ${r.ackP99} ms)`,
  );
  return r;
}

/** set per run by runE2eBench */
let pointsPerMessage = 100;

export async function runE2eBench(opts: E2eBenchOptions): Promise<E2eBenchResult> {
  pointsPerMessage = opts.pointsPerMessage ?? 100;
  const N = opts.points ?? 500_000;
  const series = opts.series ?? 1_000;
  const ctx: BenchContext = {
    kafka: createKafka({ brokers: opts.brokers, clientId: 'bench-e2e' }),
    brokers: opts.brokers,
    say: opts.progress ?? (() => {}),
    children: [],
    consumers: [],
    topics: [],
    dir: mkdtempSync(join(tmpdir(), 'faultline-bench-')),
    prefix: `bench-${Date.now().toString(36)}`,
    partitions: opts.partitions ?? 6,
  };
  const base = loadPipeline(opts.pipelineFile ?? 'pipelines/default.yaml', { env: {} });
  const lat = {
    rate: opts.latencyRate ?? 20_000,
    seconds: opts.latencySeconds ?? 20,
    spikesPerSecond: opts.spikesPerSecond ?? 40,
  };
  try {
    const raw = await rawPhase(ctx, N, series);
    const tput = await throughputPhase(ctx, base, N, series);
    const withScores = await latencyPhase(ctx, base, { ...lat, emitScores: true });
    const noScores =
      opts.latencyWithoutScores === false ? null : await latencyPhase(ctx, base, { ...lat, emitScores: false });
    return {
      points_per_message: pointsPerMessage,
      e2e_points_per_sec: Math.round(tput.sustained),
      raw_kafkajs_points_per_sec: Math.round(raw),
      e2e_latency_p50_ms: withScores.p50,
      e2e_latency_p99_ms: withScores.p99,
      e2e_to_raw_ratio: Number((tput.sustained / raw).toFixed(3)),
      e2e_overall_points_per_sec: Math.round(tput.overall),
      raw_points: N,
      e2e_points: N,
      latency_rate_achieved: Math.round(withScores.achieved),
      latency_samples: withScores.samples,
      latency_spikes_injected: withScores.spikes,
      latency_p90_ms: withScores.p90,
      latency_max_ms: withScores.max,
      latency_produce_ack_p50_ms: withScores.ackP50,
      latency_produce_ack_p99_ms: withScores.ackP99,
      e2e_latency_p50_ms_no_scores: noScores?.p50 ?? null,
      e2e_latency_p99_ms_no_scores: noScores?.p99 ?? null,
    };
  } finally {
    for (const c of ctx.consumers) await c.disconnect().catch(() => undefined);
    for (const c of ctx.children) await stopChild(c).catch(() => undefined);
    const admin = ctx.kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: ctx.topics }))
      .catch(() => undefined)
      .finally(() => admin.disconnect().catch(() => undefined));
    rmSync(ctx.dir, { recursive: true, force: true });
  }
}
