/**
 * Scale-out benchmark (`npm run bench -- --scale`; see bench/run.ts): detect worker PROCESSES
 * (src/worker/main.ts, as in production) in one consumer group on a topic with more partitions
 * than workers, through the real broker.
 *
 *  1. throughput with 1, 2 and 4 workers: the workers join first (a stable assignment), then a
 *     backlog of `points` points appears at once (written in one Kafka transaction; consumers read
 *     committed data only) and is drained; points are counted at the output (scores topic); the
 *     figure is the sustained rate (10 % → 90 % of the points scored), as e2e.ts. (Producing while
 *     measuring would make the bench's producer compete with the workers for the same cores.)
 *  2. handover: two workers process a history, then a paced load; one is SIGKILLed. handover_seconds
 *     = from the SIGKILL until every partition it held is scoring again at the survivor
 *     (= failure detection by the group's session timeout, set to 3 s here, + rebalance + restore
 *     from the state changelog + replay since the last checkpoint). Checked: no point is lost
 *     (every produced point scored at least once). The same run with the changelog off (full
 *     replay of the moved partitions) shows what the changelog saves.
 *
 * On one machine the workers share its cores with the broker and the producer, so this measures
 * the mechanism (partitions spread, nothing lost), not the capacity of N machines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Batch, type Consumer, type Kafka, Partitioners } from 'kafkajs';
import { stringify } from 'yaml';
import { loadPipeline } from '../src/config/load.js';
import type { PipelineConfig } from '../src/config/pipeline.js';
import type { MetricPointInput } from '../src/contracts/metric.js';
import type { SeriesScores } from '../src/contracts/score.js';
import { ensureTopics } from '../src/transport/admin.js';
import { createKafka } from '../src/transport/kafka.js';
import { createProducer, pointMessages } from '../src/transport/producer.js';
import { stateTopicFor } from '../src/worker/changelog-record.js';
import { stopChild } from './lib/child.js';
import { pointAt, sleep } from './lib/load.js';
import { benchReader } from './lib/reader.js';

export interface ScaleBenchOptions {
  brokers: string[];
  /** points per throughput phase (default 200,000) */
  points?: number;
  /** series (default 1,000) */
  series?: number;
  /** partitions of the metrics topic (default 8: more than the largest worker count) */
  partitions?: number;
  /** worker counts to measure (default 1, 2, 4) */
  workers?: number[];
  /** handover: history processed before the paced load (default 200,000 points) */
  handoverHistory?: number;
  /** handover: paced load, points/s (default 10,000) */
  handoverRate?: number;
  /** also measure the handover with the changelog off (default true) */
  fullReplayHandover?: boolean;
  /** checkpoint interval of the workers in the throughput phases (default: the worker's, 5 s; 0 = changelog off) */
  checkpointEveryMs?: number;
  progress?: (msg: string) => void;
}

export interface HandoverResult {
  seconds: number;
  /** SIGKILL → the survivor's rejoin (the group noticed the failure) */
  detectSeconds: number;
  /** rejoin → every moved partition scoring again (restore + replay) */
  resumeSeconds: number;
  movedPartitions: number;
  lostPoints: number;
  duplicatePoints: number;
}

export interface ScaleBenchResult {
  workers_1_points_per_sec: number | null;
  workers_2_points_per_sec: number | null;
  workers_4_points_per_sec: number | null;
  handover_seconds: number;
  handover_detect_seconds: number;
  handover_resume_seconds: number;
  handover_lost_points: number;
  handover_seconds_full_replay: number | null;
  handover_resume_seconds_full_replay: number | null;
  scale_partitions: number;
  scale_points: number;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Child {
  name: string;
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function spawnWorker(name: string, file: string, brokers: string[], extra: string[]): Child {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/worker/main.ts',
      '--pipeline',
      file,
      '--brokers',
      brokers.join(','),
      '--stats-every',
      '0',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FAULTLINE_KAFKA_LOG_LEVEL: 'error' } },
  );
  let out = '';
  for (const s of [proc.stdout, proc.stderr]) {
    if (!s) continue;
    createInterface({ input: s }).on('line', (line) => {
      out += `${line}\n`;
      if (out.length > 400_000) out = out.slice(-200_000);
    });
  }
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  return { name, proc, output: () => out, exited };
}

/** "joined group" lines of a worker: time and assigned partitions of `topic` */
function joins(c: Child, topic: string): Array<{ at: number; partitions: number[] }> {
  const out: Array<{ at: number; partitions: number[] }> = [];
  for (const line of c.output().split('\n')) {
    if (!line.includes('joined group')) continue;
    const at = Date.parse(line.slice(0, 24));
    const i = line.indexOf(`${topic}:[`);
    const partitions =
      i < 0
        ? []
        : line
            .slice(i + topic.length + 2, line.indexOf(']', i))
            .split(',')
            .filter(Boolean)
            .map(Number);
    out.push({ at, partitions });
  }
  return out;
}

async function waitStable(children: Child[], topic: string, partitions: number, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const latest = children.map((c) => joins(c, topic).at(-1)?.partitions);
    const all = latest.flatMap((p) => p ?? []);
    if (
      latest.every((p) => p !== undefined && p.length > 0) &&
      all.length === partitions &&
      new Set(all).size === partitions
    )
      return;
    if (Date.now() > until)
      throw new Error(
        `workers did not settle on an assignment\n${children.map((c) => c.output().slice(-2000)).join('\n')}`,
      );
    await sleep(100);
  }
}

interface Ctx {
  kafka: Kafka;
  brokers: string[];
  say: (m: string) => void;
  dir: string;
  prefix: string;
  partitions: number;
  series: number;
  topics: string[];
  children: Child[];
  consumers: Consumer[];
}

function phasePipeline(ctx: Ctx, base: PipelineConfig, name: string): PipelineConfig {
  const t = `${ctx.prefix}.${name}`;
  const p: PipelineConfig = {
    ...base,
    name: `scale-${name}`,
    kafka: { ...base.kafka, brokers: ctx.brokers },
    topics: {
      partitions: ctx.partitions,
      metrics: `${t}.metrics`,
      scores: `${t}.scores`,
      anomalies: `${t}.anomalies`,
      dlq: `${t}.dlq`,
    },
    worker: { ...base.worker, groupId: `${t}.detect` },
  };
  ctx.topics.push(p.topics.metrics, p.topics.scores, p.topics.anomalies, p.topics.dlq, stateTopicFor(p));
  return p;
}

async function prepare(ctx: Ctx, p: PipelineConfig): Promise<string> {
  await ensureTopics(
    ctx.kafka,
    [p.topics.metrics, p.topics.scores, p.topics.anomalies, p.topics.dlq].map((topic) => ({
      topic,
      partitions: ctx.partitions,
    })),
  );
  const file = join(ctx.dir, `${p.name}.yaml`);
  writeFileSync(file, stringify(p));
  return file;
}

async function reader(ctx: Ctx, topic: string, onBatch: (b: Batch) => void): Promise<Consumer> {
  const consumer = await benchReader(ctx.kafka, topic, onBatch);
  ctx.consumers.push(consumer);
  return consumer;
}

const STATUS_KEY = Buffer.from('"status":');
function countStatus(b: Buffer | null): number {
  if (!b) return 0;
  let n = 0;
  for (let i = b.indexOf(STATUS_KEY); i !== -1; i = b.indexOf(STATUS_KEY, i + STATUS_KEY.length)) n++;
  return n;
}

/** points [0, n) in ONE transaction: read_committed consumers (kafkajs' default) see all of them at once */
async function produceBacklog(ctx: Ctx, topic: string, n: number): Promise<void> {
  const producer = ctx.kafka.producer({
    transactionalId: `${topic}.bench-backlog`,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    try {
      for (let i = 0; i < n; i += 20_000) {
        const points: MetricPointInput[] = [];
        for (let j = i; j < Math.min(n, i + 20_000); j++) points.push(pointAt(j, ctx.series));
        await tx.send({ topic, messages: pointMessages(points, 100), acks: -1 });
      }
      await tx.commit();
    } catch (e) {
      await tx.abort().catch(() => undefined);
      throw e;
    }
  } finally {
    await producer.disconnect();
  }
}

/** produce points [from, to) as fast as the producer goes (4 requests' worth in flight) */
async function produceRange(ctx: Ctx, topic: string, from: number, to: number): Promise<void> {
  const producer = createProducer(ctx.kafka);
  await producer.connect();
  const inFlight = new Set<Promise<void>>();
  for (let i = from; i < to; i += 4_000) {
    const end = Math.min(to, i + 4_000);
    const points: MetricPointInput[] = [];
    for (let j = i; j < end; j++) points.push(pointAt(j, ctx.series));
    const p: Promise<void> = producer.sendPoints(topic, points).then(() => {
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await producer.disconnect();
}

async function throughput(
  ctx: Ctx,
  base: PipelineConfig,
  workers: number,
  n: number,
  checkpointEveryMs?: number,
): Promise<number> {
  const p = phasePipeline(ctx, base, `w${workers}`);
  const file = await prepare(ctx, p);
  ctx.say(`${workers} worker process(es), ${ctx.partitions} partitions: a backlog of ${fmt(n)} points`);
  let scored = 0;
  const samples: Array<[number, number]> = [];
  const r = await reader(ctx, p.topics.scores, (b) => {
    for (const m of b.messages) scored += countStatus(m.value);
    samples.push([Date.now(), scored]);
  });
  const children = Array.from({ length: workers }, (_, i) =>
    spawnWorker(`w${workers}-${i + 1}`, file, ctx.brokers, [
      // the worker's default: a starved process (4 workers on 2 shared cores) must not be fenced
      // out of the group while it works
      '--session-timeout',
      '10000',
      '--log-level',
      'info',
      ...(checkpointEveryMs === undefined ? [] : ['--checkpoint-every', String(checkpointEveryMs)]),
    ]),
  );
  ctx.children.push(...children);
  // the workers join and settle first; then the whole backlog appears at once (one transaction:
  // consumers read committed data only), so neither the producer nor the group's joining
  // rebalances overlap the measurement
  await waitStable(children, p.topics.metrics, ctx.partitions);
  await produceBacklog(ctx, p.topics.metrics, n);
  const ticker = setInterval(() => ctx.say(`  scored ${fmt(scored)} / ${fmt(n)}`), 2_000);
  try {
    const deadline = Date.now() + 300_000;
    while (scored < n && Date.now() < deadline) await sleep(20);
  } finally {
    clearInterval(ticker);
  }
  if (scored < n) throw new Error(`only ${scored} of ${n} points scored within 5 minutes`);
  const at = (frac: number): [number, number] => samples.find(([, c]) => c >= frac * n) ?? [Date.now(), n];
  const [t10, c10] = at(0.1);
  const [t90, c90] = at(0.9);
  const rate = (c90 - c10) / Math.max(0.001, (t90 - t10) / 1000);
  const rejoined = children.some(
    (c) => joins(c, p.topics.metrics).length > 1 && (joins(c, p.topics.metrics).at(-1)?.at ?? 0) > t10,
  );
  ctx.say(`  ${workers} worker(s): ${fmt(rate)} points/s${rejoined ? ' (a rebalance happened while draining)' : ''}`);
  await r.disconnect();
  for (const c of children) await stopChild(c);
  // FAULTLINE_BENCH_WORKER_LOG=<prefix>: keep each worker's log
  const keep = process.env.FAULTLINE_BENCH_WORKER_LOG;
  if (keep) for (const c of children) writeFileSync(`${keep}.${c.name}`, c.output());
  return rate;
}

async function handover(
  ctx: Ctx,
  base: PipelineConfig,
  o: { history: number; rate: number; changelog: boolean },
): Promise<HandoverResult> {
  const p = phasePipeline(ctx, base, o.changelog ? 'handover' : 'handover-replay');
  const file = await prepare(ctx, p);
  // failure detection within 3 s
  const extra = ['--session-timeout', '3000', '--log-level', 'info', '--checkpoint-every', o.changelog ? '2000' : '0'];
  ctx.say(
    `handover (${o.changelog ? 'state changelog' : 'changelog off: full replay'}): 2 workers, ${fmt(o.history)} points of history, then ${fmt(o.rate)} points/s; one SIGKILLed`,
  );
  const children = [spawnWorker('h-1', file, ctx.brokers, extra), spawnWorker('h-2', file, ctx.brokers, extra)];
  ctx.children.push(...children);
  await waitStable(children, p.topics.metrics, ctx.partitions);
  const seen = new Set<string>();
  let records = 0;
  const arrivals: Array<{ at: number; partition: number }> = [];
  const r = await reader(ctx, p.topics.scores, (b) => {
    const now = Date.now();
    for (const m of b.messages) {
      const s = JSON.parse(m.value?.toString('utf8') ?? '{}') as SeriesScores;
      arrivals.push({ at: now, partition: s.partition });
      for (const pt of s.points) {
        records++;
        seen.add(`${s.source}@${pt.ts}`);
      }
    }
  });
  await produceRange(ctx, p.topics.metrics, 0, o.history);
  while (seen.size < o.history) await sleep(50);
  ctx.say(`  history scored (${fmt(o.history)} points)`);

  // paced load; the kill after 8 s
  const producer = createProducer(ctx.kafka);
  await producer.connect();
  let next = o.history;
  const start = Date.now();
  let killAt = 0;
  const victim = children[0] as Child;
  const survivor = children[1] as Child;
  const moved = joins(victim, p.topics.metrics).at(-1)?.partitions ?? [];
  const pending: Promise<void>[] = [];
  while (Date.now() - start < 20_000) {
    const due = o.history + Math.floor(((Date.now() - start) / 1000) * o.rate);
    if (due > next) {
      const pts: MetricPointInput[] = [];
      for (let i = next; i < due; i++) pts.push(pointAt(i, ctx.series));
      next = due;
      pending.push(producer.sendPoints(p.topics.metrics, pts));
      if (pending.length > 32) await Promise.all(pending.splice(0, 16));
    }
    if (killAt === 0 && Date.now() - start >= 8_000) {
      killAt = Date.now();
      victim.proc.kill('SIGKILL');
      ctx.say(`  SIGKILL ${victim.name} (partitions ${moved.join(',')})`);
    }
    await sleep(20);
  }
  await Promise.all(pending);
  await producer.disconnect();
  const total = next;
  const deadline = Date.now() + 120_000;
  while (seen.size < total && Date.now() < deadline) await sleep(100);

  const rejoin = joins(survivor, p.topics.metrics).find(
    (j) => j.at >= killAt && moved.every((m) => j.partitions.includes(m)),
  );
  const rejoinAt = rejoin?.at ?? Number.NaN;
  let resumedAt = rejoinAt;
  for (const part of moved) {
    const first = arrivals.find((a) => a.partition === part && a.at > rejoinAt);
    resumedAt = Math.max(resumedAt, first?.at ?? Number.NaN);
  }
  const res: HandoverResult = {
    seconds: (resumedAt - killAt) / 1000,
    detectSeconds: (rejoinAt - killAt) / 1000,
    resumeSeconds: (resumedAt - rejoinAt) / 1000,
    movedPartitions: moved.length,
    lostPoints: total - seen.size,
    duplicatePoints: records - seen.size,
  };
  const restoredLine = survivor
    .output()
    .split('\n')
    .filter((l) => l.includes('restored partition state') || l.includes('rebuilding partition state'))
    .slice(-moved.length)
    .join('\n    ');
  ctx.say(
    `  handover ${res.seconds.toFixed(2)} s (detect ${res.detectSeconds.toFixed(2)} s + resume ${res.resumeSeconds.toFixed(2)} s), ` +
      `${res.movedPartitions} partitions moved, ${fmt(total)} points, lost ${res.lostPoints}, scored twice ${fmt(res.duplicatePoints)}`,
  );
  if (restoredLine) ctx.say(`    ${restoredLine}`);
  await r.disconnect();
  await stopChild(survivor);
  return res;
}

export async function runScaleBench(opts: ScaleBenchOptions): Promise<ScaleBenchResult> {
  const ctx: Ctx = {
    kafka: createKafka({ brokers: opts.brokers, clientId: 'bench-scale' }),
    brokers: opts.brokers,
    say: opts.progress ?? (() => {}),
    dir: mkdtempSync(join(tmpdir(), 'faultline-scale-')),
    prefix: `scale-${Date.now().toString(36)}`,
    partitions: opts.partitions ?? 8,
    series: opts.series ?? 1_000,
    topics: [],
    children: [],
    consumers: [],
  };
  const base = loadPipeline('pipelines/default.yaml', { env: {} });
  const n = opts.points ?? 200_000;
  const counts = opts.workers ?? [1, 2, 4];
  try {
    const rates = new Map<number, number>();
    for (const w of counts) rates.set(w, await throughput(ctx, base, w, n, opts.checkpointEveryMs));
    if (opts.handoverHistory === 0) {
      return {
        workers_1_points_per_sec: rates.has(1) ? Math.round(rates.get(1) as number) : null,
        workers_2_points_per_sec: rates.has(2) ? Math.round(rates.get(2) as number) : null,
        workers_4_points_per_sec: rates.has(4) ? Math.round(rates.get(4) as number) : null,
        handover_seconds: Number.NaN,
        handover_detect_seconds: Number.NaN,
        handover_resume_seconds: Number.NaN,
        handover_lost_points: Number.NaN,
        handover_seconds_full_replay: null,
        handover_resume_seconds_full_replay: null,
        scale_partitions: ctx.partitions,
        scale_points: n,
      };
    }
    const history = opts.handoverHistory ?? 200_000;
    const rate = opts.handoverRate ?? 10_000;
    const h = await handover(ctx, base, { history, rate, changelog: true });
    const full =
      opts.fullReplayHandover === false ? null : await handover(ctx, base, { history, rate, changelog: false });
    const round2 = (x: number) => Math.round(x * 100) / 100;
    return {
      workers_1_points_per_sec: rates.has(1) ? Math.round(rates.get(1) as number) : null,
      workers_2_points_per_sec: rates.has(2) ? Math.round(rates.get(2) as number) : null,
      workers_4_points_per_sec: rates.has(4) ? Math.round(rates.get(4) as number) : null,
      handover_seconds: round2(h.seconds),
      handover_detect_seconds: round2(h.detectSeconds),
      handover_resume_seconds: round2(h.resumeSeconds),
      handover_lost_points: h.lostPoints,
      handover_seconds_full_replay: full ? round2(full.seconds) : null,
      handover_resume_seconds_full_replay: full ? round2(full.resumeSeconds) : null,
      scale_partitions: ctx.partitions,
      scale_points: n,
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
