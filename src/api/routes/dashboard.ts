import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { projectRoot } from '../../sim/project-root.js';

interface Asset {
  body: Buffer;
  type: string;
  cache: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** The page may load only its own scripts and styles and talk only to this server. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The dashboard's files (src/dashboard) and uPlot's, read once; unknown names are 404 (no path is ever joined from a request). */
export function loadDashboardAssets(dir = join(projectRoot(), 'src', 'dashboard')): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    assets.set(name, { body: readFileSync(join(dir, name)), type, cache: 'no-cache' });
  }
  try {
    const require = createRequire(import.meta.url);
    for (const [name, file] of [
      ['vendor/uPlot.esm.js', 'uplot/dist/uPlot.esm.js'],
      ['vendor/uPlot.min.css', 'uplot/dist/uPlot.min.css'],
    ] as const) {
      const type = TYPES[extname(name)] as string;
      assets.set(name, { body: readFileSync(require.resolve(file)), type, cache: 'public, max-age=86400' });
    }
  } catch {
    // uPlot missing: the page says the chart library is missing
  }
  return assets;
}

function sendAsset(reply: FastifyReply, a: Asset): FastifyReply {
  reply
    .header('content-type', a.type)
    .header('cache-control', a.cache)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer');
  if (a.type.startsWith('text/html')) reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
  return reply.send(a.body);
}

/**
 * The web dashboard at `/dashboard/` (and `/` redirects there): static files only — the page reads
 * the API with the operator's key, which it keeps in the browser session. Public routes: the files
 * hold no data. Hidden from the OpenAPI document.
 */
export const dashboardRoutes: FastifyPluginAsync<{ assets?: Map<string, Asset> }> = async (app, opts) => {
  const assets = opts.assets ?? loadDashboardAssets();
  const hide = { hide: true };

  app.get('/', { schema: hide }, async (_req, reply) => reply.redirect('/dashboard/', 302));
  app.get('/dashboard', { schema: hide }, async (_req, reply) => reply.redirect('/dashboard/', 301));
  app.get('/dashboard/', { schema: hide }, async (_req, reply) => {
    const index = assets.get('index.html');
    if (!index) {
      return reply.code(404).send({
        error: 'not_found',
        message: 'the dashboard files (src/dashboard) are not installed',
        retriable: false,
      });
    }
    return sendAsset(reply, index);
  });
  app.get('/dashboard/*', { schema: hide }, async (req, reply) => {
    const name = (req.params as { '*': string })['*'];
    const a = assets.get(name);
    if (!a || name === 'index.html') {
      return reply.code(404).send({ error: 'not_found', message: `no dashboard file ${name}`, retriable: false });
    }
    return sendAsset(reply, a);
  });
};
