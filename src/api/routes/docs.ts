import type { FastifyPluginAsync } from 'fastify';

/** `GET /openapi.json`: the OpenAPI 3 document @fastify/swagger builds from the route schemas. */
export const openapiRoute: FastifyPluginAsync = async (app) => {
  app.get(
    '/openapi.json',
    {
      schema: {
        tags: ['docs'],
        summary: 'This OpenAPI 3 document (a browsable UI is at /docs)',
        response: { 200: { description: 'OpenAPI 3.0 document', type: 'object', additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );
};
