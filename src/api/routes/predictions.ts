import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { Duration } from '../../config/duration.js';
import { Prediction } from '../../contracts/prediction.js';
import { parseInput } from '../issues.js';
import { errorResponse, jsonSchema, response } from '../schemas.js';
import type { Views } from '../views.js';

export const PREDICTIONS_LIMIT = { default: 100, max: 1000 } as const;

const name = (what: string) => z.string().min(1, 'must not be empty').max(256, 'at most 256 characters').describe(what);

/** `horizon`: epoch-free milliseconds (digits) or a duration like "30m". */
const HorizonParam = z
  .string()
  .min(1, 'must not be empty')
  .transform((s, ctx) => {
    const r = Duration.safeParse(/^\d+$/.test(s) ? Number(s) : s);
    if (!r.success) {
      ctx.addIssue({ code: 'custom', message: 'expected milliseconds or a duration like "30m", "2h"' });
      return z.NEVER;
    }
    return r.data;
  })
  .describe('only predictions made for this look-ahead: ms or a duration like "30m" (autoencoder scores have 0)');

export const PredictionsQuery = z
  .object({
    source: name('only this source').optional(),
    horizon: HorizonParam.optional(),
    model: name('only this model (registry name)').optional(),
    limit: z
      .string()
      .regex(/^\d+$/, `expected a positive integer (1..${PREDICTIONS_LIMIT.max})`)
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, 'must be at least 1')
          .max(PREDICTIONS_LIMIT.max, `must be at most ${PREDICTIONS_LIMIT.max}`),
      )
      .describe(`at most this many (default ${PREDICTIONS_LIMIT.default})`)
      .optional(),
  })
  .strict();

const PredictionsResponse = z.object({
  count: z.number().int(),
  predictions: z
    .array(Prediction)
    .describe('the latest prediction per source, model and horizon, newest first (data time)'),
});

/** GET /v1/predictions: the latest model predictions, read from the predictions topic into the views. */
export const predictionsRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.get(
    '/v1/predictions',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Latest model predictions: fault probabilities within the horizon, anomaly scores',
        description:
          'Read from the predictions topic into a bounded in-memory view that keeps the latest prediction per (source, model, horizon).',
        querystring: jsonSchema(PredictionsQuery, 'input'),
        response: {
          200: response('Predictions', PredictionsResponse),
          400: errorResponse('Invalid query parameter; `issues` names it'),
        },
      },
    },
    async (req) => {
      const q = parseInput(PredictionsQuery, req.query ?? {}, { code: 'invalid_query', noun: 'parameter' });
      const predictions = views.predictions({
        source: q.source,
        horizonMs: q.horizon,
        model: q.model,
        limit: q.limit ?? PREDICTIONS_LIMIT.default,
      });
      return { count: predictions.length, predictions };
    },
  );
};
