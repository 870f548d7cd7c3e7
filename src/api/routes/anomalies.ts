import type { FastifyPluginAsync } from 'fastify';
import { parseInput } from '../issues.js';
import { ANOMALIES_LIMIT, AnomaliesQuery, AnomaliesResponse, errorResponse, jsonSchema, response } from '../schemas.js';
import type { Views } from '../views.js';

export const anomaliesRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.get(
    '/v1/anomalies',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['results'],
        summary: 'Recent anomaly events, newest first',
        description:
          'Read from the anomaly topic into a bounded in-memory view (one entry per event id, latest state).',
        querystring: jsonSchema(AnomaliesQuery, 'input'),
        response: {
          200: response('Anomaly events', AnomaliesResponse),
          400: errorResponse('Invalid query parameter; `issues` names it'),
        },
      },
    },
    async (req) => {
      const q = parseInput(AnomaliesQuery, req.query ?? {}, { code: 'invalid_query', noun: 'parameter' });
      const anomalies = views.anomalies({ ...q, limit: q.limit ?? ANOMALIES_LIMIT.default });
      return { count: anomalies.length, anomalies };
    },
  );
};
