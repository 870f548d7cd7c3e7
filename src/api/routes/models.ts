import type { FastifyPluginAsync } from 'fastify';
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import { Duration } from '../../config/duration.js';
import { TOPICS } from '../../contracts/topics.js';
import { EvalReport } from '../../ml/evaluate.js';
import { createTrainingJobs, JobConflictError, type JobRequest, type TrainingJobs } from '../../ml/jobs.js';
import { ModelName } from '../../ml/meta.js';
import { PromotionRecord, promoteVersion, readDecisions, readPromotion } from '../../ml/promote.js';
import { listModels, listVersions, readMeta, versionDir } from '../../ml/registry.js';
import { SamplesSpec, TrainRequest } from '../../ml/request.js';
import { ApiError, NotFoundError } from '../errors.js';
import { parseInput, toInputIssues } from '../issues.js';
import { errorResponse, jsonSchema, response } from '../schemas.js';

export interface ModelsRouteOptions {
  /** the model registry folder */
  modelsDir: string;
  /** training jobs (default: created here, closed with the server; Kafka samples need `kafka`) */
  jobs?: TrainingJobs;
  /** Kafka for training jobs created here */
  kafka?: Kafka;
  /** the tfjs backend serving predictions in this deployment (e.g. the predict worker's), shown by GET /v1/models */
  backend?: () => string | null;
}

// ---------- requests ----------

const NameParams = z.object({ name: ModelName.describe('registry name of the model') }).strict();
const JobParams = z
  .object({ name: ModelName.describe('registry name of the model'), job: z.uuid().describe('job id') })
  .strict();

const Topic = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name (letters, digits, . _ -)');
const KafkaSamplesSpec = z
  .object({
    kafka: z
      .object({
        metrics: Topic.default(TOPICS.metrics).describe('metrics topic (MetricPoint messages)'),
        faults: z
          .array(Topic)
          .max(8)
          .default([TOPICS.labels])
          .describe('fault topics: labels (FaultSample) and/or outcomes (Outcome) messages'),
      })
      .strict()
      .describe(
        'read the topics from the earliest offset to the high-water mark at the start of the job, then train as from files',
      ),
  })
  .strict();

const shape = TrainRequest.shape;
export const TrainBody = z
  .object({
    kind: shape.kind,
    samples: z
      .union([...SamplesSpec.options, KafkaSamplesSpec])
      .describe('`{file}` (a CSV/JSONL path on the server), `{synthetic: {seed}}`, or `{kafka: {metrics, faults}}`'),
    faults: z.string().min(1).optional().describe('fault samples file (JSONL) on the server'),
    horizon: Duration.optional().describe('label look-ahead: ms or a duration like "30m" (default 30m)'),
    window: z.number().int().min(2).max(1024).optional(),
    epochs: z.number().int().positive().max(10_000).optional(),
    patience: z.number().int().positive().optional(),
    batchSize: z.number().int().positive().optional(),
    learningRate: z.number().positive().optional(),
    seed: z.number().int().optional(),
    threshold: z.number().min(0).max(1).optional(),
    promote: z.boolean().optional().describe('promote the new version when it is saved (default false)'),
  })
  .strict();

const PromoteBody = z
  .object({
    version: z.number().int().positive().describe('the version to serve'),
    reason: z.string().max(500).optional(),
  })
  .strict();

// ---------- responses ----------

const VersionInfo = z.object({
  version: z.number().int(),
  kind: z.string().nullable(),
  createdAt: z.string().nullable(),
  backend: z.string().nullable().describe('tfjs backend that trained it'),
  horizonMs: z.number().nullable(),
  metrics: z.array(z.string()).describe('feature metrics, in input order'),
  window: z.number().int().nullable(),
  training: z
    .object({
      samples: z.string(),
      faults: z.string().nullable(),
      from: z.number(),
      to: z.number(),
      valEnd: z.number().describe('start of the held-out tail'),
      epochs: z.number().int(),
      seconds: z.number(),
    })
    .nullable(),
  evaluation: EvalReport.nullable().describe('evaluation on the held-out tail (meta.json)'),
  error: z.string().nullable().describe('why meta.json could not be read (the version cannot be served)'),
});

const ModelSummary = z.object({
  name: z.string(),
  versions: z.array(z.number().int()),
  latest: z.number().int(),
  promoted: z.number().int().nullable().describe('the version promoted.json pins (null: the newest is served)'),
  served: z.number().int(),
  kind: z.string().nullable(),
  evaluation: EvalReport.nullable().describe('of the served version'),
  training: z.boolean().describe('a training job of this model is running'),
});

const ModelsResponse = z.object({
  backend: z.string().nullable().describe('tfjs backend serving predictions (null: not reported)'),
  count: z.number().int(),
  models: z.array(ModelSummary),
});

const JobStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  state: z.enum(['importing', 'running', 'succeeded', 'failed', 'cancelled']),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  stage: z.string().nullable(),
  message: z.string().nullable(),
  epoch: z.number().int(),
  epochs: z.number().int().nullable().describe('maximum epochs (early stopping may end sooner)'),
  loss: z.number().nullable(),
  valLoss: z.number().nullable(),
  etaMs: z.number().nullable(),
  history: z.array(z.object({ epoch: z.number().int(), loss: z.number(), valLoss: z.number() })),
  version: z.number().int().nullable().describe('registry version written'),
  promoted: z.boolean(),
  evaluation: EvalReport.nullable().describe('on the held-out tail, once done'),
  error: z.object({ name: z.string(), message: z.string(), retriable: z.boolean() }).nullable(),
});

const ModelDetail = ModelSummary.omit({ evaluation: true, training: true }).extend({
  backend: z.string().nullable(),
  details: z.array(VersionInfo),
  jobs: z.array(JobStatusSchema).describe('recent training jobs, newest first'),
  decisions: z.array(PromotionRecord).describe('promotions and refused challengers, newest first (at most 20)'),
});

const JobAccepted = z.object({ job: JobStatusSchema, location: z.string() });
const PromoteResponse = z.object({
  name: z.string(),
  version: z.number().int(),
  previous: z.number().int().nullable(),
  promotedAt: z.string(),
  by: z.string(),
  reason: z.string(),
});

// ---------- helpers ----------

async function versionInfo(root: string, name: string, version: number): Promise<z.infer<typeof VersionInfo>> {
  try {
    const m = await readMeta(versionDir(root, name, version));
    const t = m.training;
    return {
      version,
      kind: m.kind,
      createdAt: m.createdAt,
      backend: m.backend,
      horizonMs: m.horizonMs,
      metrics: m.features.metrics,
      window: m.features.window,
      training: {
        samples: t.samples,
        faults: t.faults,
        from: t.from,
        to: t.to,
        valEnd: t.valEnd,
        epochs: t.epochs,
        seconds: t.seconds,
      },
      evaluation: m.evaluation,
      error: null,
    };
  } catch (err) {
    return {
      version,
      kind: null,
      createdAt: null,
      backend: null,
      horizonMs: null,
      metrics: [],
      window: null,
      training: null,
      evaluation: null,
      error: (err as Error).message,
    };
  }
}

/** Registry errors → API errors: unknown → 404, a version that fails its checks → 422. */
function registryError(err: unknown): unknown {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'ModelNotFoundError') return new NotFoundError(e.message ?? 'no such model');
  if (e?.name === 'ModelIntegrityError' || e?.name === 'ModelSchemaError')
    return new ApiError(422, 'model_refused', e.message ?? 'the version fails its checks', false);
  return err;
}

/**
 * The model registry and training through the API: list models and versions (`read`), start a
 * training job in a worker thread and follow it (`admin` / `read`), promote a version (`admin`).
 */
export const modelsRoutes: FastifyPluginAsync<ModelsRouteOptions> = async (app, opts) => {
  const root = opts.modelsDir;
  const jobs = opts.jobs ?? createTrainingJobs({ modelsDir: root, ...(opts.kafka ? { kafka: opts.kafka } : {}) });
  if (!opts.jobs) app.addHook('onClose', async () => jobs.close());
  const backend = () => opts.backend?.() ?? null;
  const kafkaJobs = opts.jobs !== undefined || opts.kafka !== undefined;

  async function summary(name: string, versions: number[]): Promise<z.infer<typeof ModelSummary>> {
    const promotion = await readPromotion(root, name).catch(() => null);
    const latest = versions[versions.length - 1] as number;
    const served = promotion?.version ?? latest;
    const info = await versionInfo(root, name, served);
    return {
      name,
      versions,
      latest,
      promoted: promotion?.version ?? null,
      served,
      kind: info.kind,
      evaluation: info.evaluation,
      training: jobs.active(name) !== undefined,
    };
  }

  app.get(
    '/v1/models',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Trained models: versions, the served one, its evaluation, and the tfjs backend in use',
        response: { 200: response('The registry', ModelsResponse) },
      },
    },
    async () => {
      const models = await Promise.all((await listModels(root)).map((m) => summary(m.name, m.versions)));
      return { backend: backend(), count: models.length, models };
    },
  );

  app.get(
    '/v1/models/:name',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'One model: every version with its meta.json summary, training jobs and promotion decisions',
        params: jsonSchema(NameParams, 'input'),
        response: {
          200: response('The model', ModelDetail),
          400: errorResponse('Invalid model name'),
          404: errorResponse('No such model'),
        },
      },
    },
    async (req) => {
      const { name } = parseInput(NameParams, req.params, { code: 'invalid_path', noun: 'parameter' });
      const versions = await listVersions(root, name);
      if (versions.length === 0) throw new NotFoundError(`no model named ${JSON.stringify(name)}`);
      const s = await summary(name, versions);
      const details = await Promise.all(versions.map((v) => versionInfo(root, name, v)));
      const decisions = (await readDecisions(root, name)).reverse().slice(0, 20);
      return {
        name,
        versions,
        latest: s.latest,
        promoted: s.promoted,
        served: s.served,
        kind: s.kind,
        backend: backend(),
        details,
        jobs: jobs.list(name),
        decisions,
      };
    },
  );

  app.post(
    '/v1/models/:name/train',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['models'],
        summary: 'Start training a new version in a worker thread (an async job)',
        description:
          'Answers 202 with the job; follow it with GET /v1/models/{name}/train/{job}. One job per model at a time (409). ' +
          'File paths are read on the server. The new version is served when the model has no promoted.json, or with `promote: true`.',
        params: jsonSchema(NameParams, 'input'),
        body: jsonSchema(TrainBody, 'input'),
        response: {
          202: response('The job was started', JobAccepted),
          400: errorResponse('Invalid body; `issues` names each bad field'),
          409: errorResponse('A training job of this model is already running (retriable once it finished)'),
        },
      },
    },
    async (req, reply) => {
      const { name } = parseInput(NameParams, req.params, { code: 'invalid_path', noun: 'parameter' });
      const body = parseInput(TrainBody, req.body ?? {}, { code: 'invalid_body' });
      if ('kafka' in body.samples && !kafkaJobs)
        throw new ApiError(400, 'invalid_body', 'samples.kafka: this server is not connected to Kafka', false, [
          { path: 'samples.kafka', message: 'this server is not connected to Kafka', code: 'unavailable' },
        ]);
      const { horizon, promote, ...rest } = body;
      const request = { ...rest, ...(horizon !== undefined ? { horizonMs: horizon } : {}) } as JobRequest;
      try {
        const job = jobs.submit(name, request, { promote: promote ?? false, by: req.principal?.name ?? 'anonymous' });
        const location = `/v1/models/${name}/train/${job.id}`;
        return reply.code(202).header('location', location).send({ job, location });
      } catch (err) {
        if (err instanceof JobConflictError) throw new ApiError(409, 'conflict', err.message, true);
        if (err instanceof z.ZodError) {
          const issues = toInputIssues(err);
          throw new ApiError(
            400,
            'invalid_body',
            issues.map((i) => `${i.path}: ${i.message}`).join('; '),
            false,
            issues,
          );
        }
        throw err;
      }
    },
  );

  app.get(
    '/v1/models/:name/train/:job',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Progress of a training job: state, epoch, loss, validation loss, ETA; the evaluation when done',
        params: jsonSchema(JobParams, 'input'),
        response: {
          200: response('The job', JobStatusSchema),
          400: errorResponse('Invalid path'),
          404: errorResponse('No such job (jobs are kept in memory: a restart forgets them)'),
        },
      },
    },
    async (req) => {
      const { name, job } = parseInput(JobParams, req.params, { code: 'invalid_path', noun: 'parameter' });
      const s = jobs.get(name, job);
      if (!s) throw new NotFoundError(`no training job ${job} of model ${JSON.stringify(name)}`);
      return s;
    },
  );

  app.post(
    '/v1/models/:name/promote',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['models'],
        summary: 'Serve a version of the model from now on (writes promoted.json)',
        description:
          'The version is verified first (sha256 of every file, meta.json, feature schema); one that fails is refused (422) and nothing changes. ' +
          'Running predict workers pick the promoted version up on their next reload.',
        params: jsonSchema(NameParams, 'input'),
        body: jsonSchema(PromoteBody, 'input'),
        response: {
          200: response('Promoted', PromoteResponse),
          400: errorResponse('Invalid body or name'),
          404: errorResponse('No such model or version'),
          422: errorResponse('The version fails its checksums or schema checks: refused'),
        },
      },
    },
    async (req) => {
      const { name } = parseInput(NameParams, req.params, { code: 'invalid_path', noun: 'parameter' });
      const body = parseInput(PromoteBody, req.body ?? {}, { code: 'invalid_body' });
      try {
        const by = req.principal?.name ?? 'anonymous';
        const p = await promoteVersion(root, name, body.version, {
          by,
          reason: body.reason ?? `promoted through the API by ${by}`,
        });
        return { name, ...p };
      } catch (err) {
        throw registryError(err);
      }
    },
  );
};
