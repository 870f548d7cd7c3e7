import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../errors.js';
import { parseInput } from '../issues.js';
import {
  errorResponse,
  jsonSchema,
  response,
  SERIES_LIST_LIMIT,
  SeriesListQuery,
  SeriesListResponse,
  SeriesParams,
  SeriesQuery,
  SeriesView,
} from '../schemas.js';
import type { Views } from '../views.js';

export const seriesRoutes: FastifyPluginAsync<{ views: Views }> = async (app, { views }) => {
  app.get(
    '/v1/series',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['results'],
        summary: 'Known series with their last score, highest first',
        querystring: jsonSchema(SeriesListQuery, 'input'),
        response: {
          200: response('Series summaries', SeriesListResponse),
          400: errorResponse('Invalid query parameter'),
        },
      },
    },
    async (req) => {
      const q = parseInput(SeriesListQuery, req.query ?? {}, { code: 'invalid_query', noun: 'parameter' });
      const series = views.listSeries({ ...q, limit: q.limit ?? SERIES_LIST_LIMIT.default });
      return { count: series.length, series };
    },
  );

  app.get(
    '/v1/series/:source/:metric',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['results'],
        summary:
          'Recent values, scores (combined and per detector), expected band, status and last anomaly of a series',
        params: jsonSchema(SeriesParams, 'input'),
        querystring: jsonSchema(SeriesQuery, 'input'),
        response: {
          200: response('The series view', SeriesView),
          400: errorResponse('Invalid path or query parameter'),
          404: errorResponse('Series not seen (or evicted from the bounded view)'),
        },
      },
    },
    async (req) => {
      const p = parseInput(SeriesParams, req.params, { code: 'invalid_path', noun: 'parameter' });
      const q = parseInput(SeriesQuery, req.query ?? {}, { code: 'invalid_query', noun: 'parameter' });
      const view = views.series(p.source, p.metric, { limit: q.limit });
      if (!view) throw new NotFoundError(`no series with source "${p.source}" and metric "${p.metric}"`);
      return view;
    },
  );
};
