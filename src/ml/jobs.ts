import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { EvalReport } from './evaluate.js';
import { importFromKafka } from './import-kafka.js';
import type { EpochLog } from './meta.js';
import { promoteVersion } from './promote.js';
import { TrainRequest, type TrainRequestInput } from './request.js';
import { startTraining, type TrainJob, type TrainProgress } from './train.js';

/**
 * Training jobs of a server (POST /v1/models/:name/train): each runs in a worker thread through
 * `startTraining`, at most one per model name at a time; progress and the result are kept in memory
 * (the last `keep` finished jobs per model).
 */

export type JobState = 'importing' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobStatus {
  id: string;
  name: string;
  kind: TrainRequest['kind'];
  state: JobState;
  createdAt: string;
  finishedAt: string | null;
  /** the current stage of the worker (loading, features, training, …) and its message */
  stage: string | null;
  message: string | null;
  epoch: number;
  epochs: number | null;
  loss: number | null;
  valLoss: number | null;
  /** estimated time to the maximum epoch count (early stopping may end sooner), ms */
  etaMs: number | null;
  history: EpochLog[];
  /** registry version written, and whether it was promoted */
  version: number | null;
  promoted: boolean;
  evaluation: EvalReport | null;
  error: { name: string; message: string; retriable: boolean } | null;
}

/** Another job of the model is running: retry when it finished. */
export class JobConflictError extends Error {
  override readonly name = 'JobConflictError';
  readonly retriable = true;
  constructor(
    readonly model: string,
    readonly running: string,
  ) {
    super(`model ${JSON.stringify(model)} is already training (job ${running}); one job per model at a time`);
  }
}

/** Samples from Kafka: imported into files first (bounded at the high-water mark), then trained on. */
export interface KafkaSamples {
  kafka: { metrics: string; faults: string[] };
}

export type JobRequest = Omit<TrainRequestInput, 'name' | 'modelsDir' | 'samples' | 'save'> & {
  samples: TrainRequestInput['samples'] | KafkaSamples;
};

export interface SubmitOptions {
  /** promote the new version once saved (default false: served only if the model has no promoted.json) */
  promote?: boolean;
  /** who asked (recorded with a promotion) */
  by?: string;
}

export interface TrainingJobs {
  /** validates and starts a job; throws JobConflictError when the model already trains, ZodError on a bad request */
  submit(name: string, request: JobRequest, opts?: SubmitOptions): JobStatus;
  get(name: string, id: string): JobStatus | undefined;
  /** jobs of a model (or all), newest first */
  list(name?: string): JobStatus[];
  /** the running job of a model, if any */
  active(name: string): JobStatus | undefined;
  /** cancel every running job */
  close(): Promise<void>;
}

export interface TrainingJobsOptions {
  modelsDir: string;
  /** needed for Kafka samples */
  kafka?: Kafka;
  /** finished jobs kept per model (default 20) */
  keep?: number;
  /** default startTraining (tests inject a fake) */
  start?: typeof startTraining;
}

function newStatus(id: string, name: string, kind: JobStatus['kind']): JobStatus {
  return {
    id,
    name,
    kind,
    state: 'running',
    createdAt: new Date().toISOString(),
    finishedAt: null,
    stage: null,
    message: null,
    epoch: 0,
    epochs: null,
    loss: null,
    valLoss: null,
    etaMs: null,
    history: [],
    version: null,
    promoted: false,
    evaluation: null,
    error: null,
  };
}

const isKafka = (s: JobRequest['samples']): s is KafkaSamples => 'kafka' in s;

export function createTrainingJobs(opts: TrainingJobsOptions): TrainingJobs {
  const start = opts.start ?? startTraining;
  const keep = opts.keep ?? 20;
  const jobs = new Map<string, JobStatus[]>(); // per model, oldest first
  const running = new Map<string, { status: JobStatus; job: TrainJob | null; cancelled: boolean }>();

  const finish = (name: string, s: JobStatus, state: JobState) => {
    s.state = state;
    s.finishedAt = new Date().toISOString();
    s.etaMs = state === 'succeeded' ? 0 : s.etaMs;
    running.delete(name);
    const list = jobs.get(name) ?? [];
    while (list.filter((j) => j.state !== 'running' && j.state !== 'importing').length > keep) {
      const i = list.findIndex((j) => j.state !== 'running' && j.state !== 'importing');
      list.splice(i, 1);
    }
  };

  const onProgress = (s: JobStatus) => (p: TrainProgress) => {
    if (p.type === 'stage') {
      s.stage = p.stage;
      s.message = p.message;
      return;
    }
    s.epoch = p.epoch;
    s.epochs = p.epochs;
    s.loss = p.loss;
    s.valLoss = p.valLoss;
    s.etaMs = p.etaMs;
    s.history.push({ epoch: p.epoch, loss: p.loss, valLoss: p.valLoss });
  };

  async function run(name: string, s: JobStatus, request: JobRequest, sub: SubmitOptions): Promise<void> {
    const entry = running.get(name);
    let tmp: string | null = null;
    try {
      let samples = request.samples as TrainRequestInput['samples'];
      let faults = request.faults;
      if (isKafka(request.samples)) {
        if (!opts.kafka) throw new Error('samples from Kafka need the server to be connected to Kafka');
        s.state = 'importing';
        s.stage = 'importing';
        tmp = await mkdtemp(join(tmpdir(), 'faultline-import-'));
        const imp = await importFromKafka({
          kafka: opts.kafka,
          metricsTopic: request.samples.kafka.metrics,
          faultTopics: request.samples.kafka.faults,
          dir: tmp,
          onProgress: (p) => {
            s.message = `read ${p.read} of ${p.total} messages (${p.topic})`;
          },
        });
        samples = { file: imp.metricsFile };
        faults = imp.faultsFile ?? faults;
        s.message = `imported ${imp.points} points and ${imp.faults} fault samples from Kafka`;
        if (entry?.cancelled) throw Object.assign(new Error('training was cancelled'), { name: 'TrainCancelledError' });
        s.state = 'running';
      }
      const job = start(
        { ...request, samples, faults, name, modelsDir: opts.modelsDir, save: true } as TrainRequestInput,
        onProgress(s),
      );
      if (entry) entry.job = job;
      const result = await job.result;
      s.version = result.version;
      s.evaluation = result.evaluation;
      if (sub.promote && result.version !== null) {
        await promoteVersion(opts.modelsDir, name, result.version, {
          by: sub.by ?? 'api',
          reason: `trained by job ${s.id}`,
        });
        s.promoted = true;
      }
      finish(name, s, 'succeeded');
    } catch (err) {
      const e = err as { name?: string; message?: string; retriable?: boolean };
      s.error = {
        name: e?.name ?? 'Error',
        message: e?.message ?? String(err),
        retriable: typeof e?.retriable === 'boolean' ? e.retriable : false,
      };
      finish(name, s, entry?.cancelled || e?.name === 'TrainCancelledError' ? 'cancelled' : 'failed');
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  return {
    submit(name, request, sub = {}) {
      const busy = running.get(name);
      if (busy) throw new JobConflictError(name, busy.status.id);
      // validate now (400 before any thread starts); Kafka samples are checked with a placeholder file
      const probe = isKafka(request.samples) ? { ...request, samples: { file: 'kafka' } } : request;
      TrainRequest.parse({ ...probe, name, modelsDir: opts.modelsDir });
      const s = newStatus(randomUUID(), name, request.kind);
      const list = jobs.get(name) ?? [];
      list.push(s);
      jobs.set(name, list);
      running.set(name, { status: s, job: null, cancelled: false });
      void run(name, s, request, sub);
      return s;
    },
    get: (name, id) => jobs.get(name)?.find((j) => j.id === id),
    list(name) {
      const all = name ? (jobs.get(name) ?? []) : [...jobs.values()].flat();
      return [...all].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    },
    active: (name) => running.get(name)?.status,
    async close() {
      const all = [...running.values()];
      for (const r of all) r.cancelled = true;
      await Promise.all(all.map((r) => r.job?.cancel()));
    },
  };
}
