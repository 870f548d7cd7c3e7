import type { FastifyInstance } from 'fastify';
import type { CorsConfig } from './security.js';

const ALLOWED_HEADERS = 'authorization, x-api-key, content-type';
const ALLOWED_METHODS = 'GET, POST, OPTIONS';

/**
 * CORS, off unless origins are listed: then a page served by one of them may call the API (with
 * its own key), a preflight from it is answered 204, and every other origin gets no CORS headers
 * (so the browser refuses to hand it the response).
 */
export function installCors(app: FastifyInstance, config: CorsConfig): void {
  if (config.origins.length === 0) return;
  const allowed = new Set(config.origins.map((o) => o.toLowerCase()));

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !allowed.has(origin.toLowerCase())) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('vary', 'Origin');
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      reply.header('access-control-allow-methods', ALLOWED_METHODS);
      reply.header('access-control-allow-headers', ALLOWED_HEADERS);
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    }
  });
}
