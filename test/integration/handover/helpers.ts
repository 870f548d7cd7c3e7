import { type ChildProcess, spawn } from 'node:child_process';
import type { Kafka } from 'kafkajs';
import type { PipelineConfig } from '../../../src/config/pipeline.js';
import type { AnomalyEvent } from '../../../src/contracts/anomaly.js';
import type { Score, SeriesScores } from '../../../src/contracts/score.js';
import { seriesId } from '../../../src/contracts/series.js';
import { json, readAll } from '../worker/helpers.js';

export interface WorkerChild {
  name: string;
  proc: ChildProcess;
  log: () => string;
  exited: Promise<number | null>;
}

/** `src/worker/main.ts` as a separate process, as in production */
export function spawnWorker(name: string, pipelineFile: string, brokers: string[], extra: string[] = []): WorkerChild {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/worker/main.ts',
      '--pipeline',
      pipelineFile,
      '--brokers',
      brokers.join(','),
      '--session-timeout',
      '6000',
      '--stats-every',
      '0',
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FAULTLINE_KAFKA_LOG_LEVEL: 'error' } },
  );
  let log = '';
  proc.stderr?.on('data', (d) => {
    log += String(d);
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { name, proc, log: () => log, exited };
}

/** the partitions of `topic` in a worker's latest "joined group" line */
export function lastAssignment(log: string, topic: string): number[] | null {
  const lines = log.split('\n').filter((l) => l.includes('joined group'));
  const last = lines[lines.length - 1];
  if (!last) return null;
  const m = new RegExp(`${topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\[([0-9,]*)\\]`).exec(last);
  if (!m) return [];
  return m[1] ? m[1].split(',').map(Number) : [];
}

/** "restored partition state from the changelog" lines: partition, restored series, replayed input messages */
export function restoredPartitions(log: string): Array<{ partition: number; series: number; replay: number }> {
  const out: Array<{ partition: number; series: number; replay: number }> = [];
  for (const l of log.split('\n')) {
    if (!l.includes('restored partition state from the changelog')) continue;
    const num = (k: string) => Number(new RegExp(`${k}=(\\d+)`).exec(l)?.[1] ?? Number.NaN);
    out.push({ partition: num('partition'), series: num('series'), replay: num('replay') });
  }
  return out;
}

export interface Collected {
  events: Map<string, AnomalyEvent>;
  /** every score record, duplicates included: `series@ts` → scores in arrival order */
  scores: Map<string, Score[]>;
  /** series id → input partition (from SeriesScores.partition) */
  partitionOf: Map<string, number>;
  records: number;
}

export async function collect(kafka: Kafka, p: PipelineConfig): Promise<Collected> {
  const events = new Map<string, AnomalyEvent>();
  for (const m of await readAll(kafka, p.topics.anomalies)) {
    const e = json<AnomalyEvent>(m);
    events.set(e.id, e);
  }
  const scores = new Map<string, Score[]>();
  const partitionOf = new Map<string, number>();
  let records = 0;
  for (const m of await readAll(kafka, p.topics.scores)) {
    const s = json<SeriesScores>(m);
    const id = seriesId(s.source, s.metric);
    partitionOf.set(id, s.partition);
    for (const pt of s.points) {
      records++;
      const k = `${id}@${pt.ts}`;
      const list = scores.get(k);
      if (list) list.push(pt);
      else scores.set(k, [pt]);
    }
  }
  return { events, scores, partitionOf, records };
}

export function killHard(c: WorkerChild): void {
  if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
}
