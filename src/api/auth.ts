import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';
import { hasScope, type Keyring, type Principal, SCOPES, type Scope } from './keys.js';
import { errorResponse } from './schemas.js';
import type { RateLimitConfig } from './security.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the scope a route needs; a route without one is public (health, docs, dashboard assets) */
    scope?: Scope;
  }
  interface FastifyRequest {
    /** who called (set once the request passed authorization; `anonymous` with every scope when no keys are configured) */
    principal: Principal | null;
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super(401, 'unauthorized', message, false);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends ApiError {
  constructor(message: string) {
    super(403, 'forbidden', message, false);
    this.name = 'ForbiddenError';
  }
}

export class RateLimitedError extends ApiError {
  constructor(message: string) {
    super(429, 'rate_limited', message, true);
    this.name = 'RateLimitedError';
  }
}

/** Header names that carry keys: redacted from every log line. */
export const SECRET_HEADERS = ['authorization', 'x-api-key', 'cookie'] as const;

/** pino `redact` paths covering the secret headers wherever a request or its headers get logged. */
export const REDACT_PATHS = SECRET_HEADERS.flatMap((h) => [
  `req.headers["${h}"]`,
  `request.headers["${h}"]`,
  `headers["${h}"]`,
  `req.raw.headers["${h}"]`,
]);

const ANONYMOUS: Principal = { name: 'anonymous', scopes: new Set(SCOPES) };

/** The key of a request: `Authorization: Bearer <key>` or `X-API-Key: <key>`, else null. */
export function presentedKey(req: Pick<FastifyRequest, 'headers'>): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1] as string;
  }
  const x = req.headers['x-api-key'];
  if (typeof x === 'string' && x.trim() !== '') return x.trim();
  return null;
}

export interface AuthOptions {
  keyring: Keyring;
  rateLimit: RateLimitConfig;
}

/**
 * Installs, on the root instance and before the routes are registered:
 * - the rate limiter (@fastify/rate-limit), keyed by the API key's name, or by the client address
 *   for requests without a known key — so guessing keys is rate-limited too;
 * - authorization before the body is read (preParsing): a route whose `config.scope` is set needs a
 *   key with that scope (401 without a valid key, 403 without the scope); public routes need none;
 * - OpenAPI: secured routes get the security requirement and their 401/403/429 responses.
 * With no keys configured every request is `anonymous` with every scope (the server then listens on
 * loopback only, see `checkAccess`).
 */
export async function installAuth(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  const { keyring } = opts;
  const secured = keyring.size > 0;
  const limited = opts.rateLimit.max > 0;
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const scope = route.config?.scope;
    if (!route.schema || (!scope && !limited)) return;
    const schema = route.schema as Record<string, unknown> & { response?: Record<string, unknown> };
    const responses: Record<string, unknown> = { ...(schema.response ?? {}) };
    if (scope && secured) {
      schema.security = [{ bearerAuth: [] }, { apiKeyHeader: [] }];
      responses['401'] ??= errorResponse('No API key, or an unknown one');
      responses['403'] ??= errorResponse(`The API key lacks the "${scope}" scope`);
    }
    if (limited && route.config?.rateLimit !== false) {
      responses['429'] ??= errorResponse('Too many requests for this key (or client address); see Retry-After');
    }
    schema.response = responses;
    if (scope && secured) {
      const note = `Needs an API key with the \`${scope}\` scope${scope === 'admin' ? '' : ' (or `admin`)'}.`;
      schema.description = schema.description ? `${schema.description}\n\n${note}` : note;
    }
  });

  if (limited) {
    await app.register(rateLimit, {
      max: opts.rateLimit.max,
      timeWindow: opts.rateLimit.window,
      keyGenerator: (req) => {
        const key = secured ? presentedKey(req) : null;
        const p = key ? keyring.known(key) : null;
        return p ? `key:${p.name}` : `ip:${req.ip}`;
      },
      errorResponseBuilder: (_req, ctx) =>
        new RateLimitedError(`rate limit of ${ctx.max} requests exceeded; retry in ${ctx.after}`),
    });
  }

  app.addHook('preParsing', async (req, _reply, payload) => {
    const scope = req.routeOptions.config?.scope;
    if (!scope) return payload;
    if (!secured) {
      req.principal = ANONYMOUS;
      return payload;
    }
    const key = presentedKey(req);
    if (!key) {
      throw new UnauthorizedError('this endpoint needs an API key: send "Authorization: Bearer <key>" or "X-API-Key"');
    }
    const p = keyring.verify(key);
    if (!p) {
      req.log.warn({ ip: req.ip, route: req.routeOptions.url }, 'rejected an unknown API key');
      throw new UnauthorizedError('unknown API key');
    }
    if (!hasScope(p, scope)) {
      req.log.info({ key: p.name, scope, route: req.routeOptions.url }, 'API key lacks the scope');
      throw new ForbiddenError(`API key "${p.name}" lacks the "${scope}" scope`);
    }
    req.principal = p;
    return payload;
  });
}

/** OpenAPI security schemes, for @fastify/swagger's `components`. */
export const SECURITY_SCHEMES = {
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key as a bearer token' },
  apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key in X-API-Key' },
} as const;
