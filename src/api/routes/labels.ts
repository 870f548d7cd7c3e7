import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { FaultSample } from '../../contracts/samples.js';
import type { BatchedProducer } from '../../transport/producer.js';
import { InputError, UnavailableError } from '../errors.js';
import { parseInput } from '../issues.js';
import { errorResponse, jsonSchema, response } from '../schemas.js';

/** Where operator labels go: the labels topic (or a fake in unit tests). */
export interface LabelSink {
  sendLabels(labels: FaultSample[]): Promise<void>;
}

/** The `labels` sink for `buildApi`: one message per label, key = source, value = the FaultSample JSON. */
export function producerLabelSink(producer: Pick<BatchedProducer, 'send'>, topic: string): LabelSink {
  return {
    sendLabels: (labels) =>
      producer.send(
        topic,
        labels.map((l) => ({ key: l.source, value: JSON.stringify(l) })),
      ),
  };
}

export const MAX_LABELS = 1000;
const LabelBatch = z
  .array(FaultSample)
  .min(1, 'expected at least one label')
  .max(MAX_LABELS, `at most ${MAX_LABELS} labels`);
const LabelEnvelope = z.object({ labels: LabelBatch }).strict();
const LabelsBody = z
  .union([FaultSample, LabelBatch, LabelEnvelope])
  .describe('One fault sample `{source, start, end, type, severity}`, an array of them, or `{ "labels": [...] }`');

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Validates one label, an array of labels, or `{ labels: [...] }` (the error names the index and field). */
export function parseLabelsBody(body: unknown): FaultSample[] {
  if (body === undefined || body === null || body === '')
    throw new InputError('invalid_body', [
      {
        path: '',
        message: 'expected a JSON body: a fault sample, an array of them, or { "labels": [...] }',
        code: 'missing_body',
      },
    ]);
  if (Array.isArray(body)) return parseInput(LabelBatch, body, { code: 'invalid_body', prefix: 'labels' });
  if (isObject(body) && 'labels' in body) return parseInput(LabelEnvelope, body, { code: 'invalid_body' }).labels;
  return [parseInput(FaultSample, body, { code: 'invalid_body' })];
}

export interface LabelsRouteOptions {
  sink: LabelSink;
  /** a sink call slower than this answers 503 (default 10 s) */
  sinkTimeoutMs?: number;
}

/**
 * POST /v1/labels: operator-confirmed faults become labelled samples on the labels topic, where
 * `faultline train --faults kafka:faultline.labels` and `faultline retrain` read them.
 */
export const labelsRoutes: FastifyPluginAsync<LabelsRouteOptions> = async (app, opts) => {
  const timeoutMs = opts.sinkTimeoutMs ?? 10_000;
  app.post(
    '/v1/labels',
    {
      config: { scope: 'operate' },
      schema: {
        tags: ['models'],
        summary: 'Label confirmed faults for training: {source, start, end, type, severity}',
        description:
          'Each label says that `source` had a real fault of `type` from `start` to `end` (epoch ms or ISO 8601). ' +
          'Written to the labels topic; retraining adds them to the fault samples.',
        body: jsonSchema(LabelsBody, 'input'),
        response: {
          202: response('Labels written to Kafka', z.object({ accepted: z.number().int() })),
          400: errorResponse('Invalid body; `issues` names each bad field'),
          503: errorResponse('Kafka unavailable; retry later'),
        },
      },
    },
    async (req, reply) => {
      const labels = parseLabelsBody(req.body);
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          opts.sink.sendLabels(labels),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
      } catch (err) {
        req.log.warn({ err, labels: labels.length }, 'label sink failed');
        throw new UnavailableError(
          `could not write ${labels.length} label(s) to Kafka: ${(err as Error).message}`,
          err,
        );
      } finally {
        clearTimeout(timer);
      }
      return reply.code(202).send({ accepted: labels.length });
    },
  );
};
