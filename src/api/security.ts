import { isIP } from 'node:net';
import { z } from 'zod';
import { Duration } from '../config/duration.js';
import { type ApiKeyConfig, ApiKeyConfigError, parseApiKeysEnv } from './keys.js';

/**
 * The security side of the `api:` section: rate limit and CORS (the keys are `ApiKeyConfig`), how
 * configured and env keys combine, and the start-up rule: without keys the API is open, so it may
 * only listen on loopback unless the operator says `--insecure`.
 */

export const RateLimitConfig = z
  .object({
    /** requests per window per API key (per client address for requests without a valid key); 0 = off */
    max: z.number().int().nonnegative().default(1200),
    window: Duration.prefault('1m'),
  })
  .strict();
export type RateLimitConfig = z.output<typeof RateLimitConfig>;

export const CorsConfig = z
  .object({
    /** origins allowed to call the API from a browser page they serve, e.g. https://grafana.example.com; none = CORS off */
    origins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected an origin like https://host:port')).default([]),
  })
  .strict();
export type CorsConfig = z.output<typeof CorsConfig>;

/** The API refuses to start as configured (retrying the same way cannot help). */
export class InsecureBindError extends Error {
  readonly retriable = false;
  override readonly name = 'InsecureBindError';
}

/** localhost, 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h) || /^0*:0*:0*:0*:0*:0*:0*:0*1$/.test(h);
  return false;
}

/** Keys from the pipeline, then from FAULTLINE_API_KEYS; a name used twice is an error. */
export function resolveApiKeys(configured: readonly ApiKeyConfig[], envValue: string | undefined): ApiKeyConfig[] {
  const all = [...configured, ...parseApiKeysEnv(envValue)];
  const seen = new Set<string>();
  for (const k of all) {
    if (seen.has(k.name))
      throw new ApiKeyConfigError(
        `api key "${k.name}" is configured twice (pipeline api.keys and FAULTLINE_API_KEYS?)`,
      );
    seen.add(k.name);
  }
  return all;
}

/**
 * Throws InsecureBindError when the API would be open (no keys) on a non-loopback address and
 * `insecure` was not given. Returns the line to print at start-up about access.
 */
export function checkAccess(opts: { host: string; keys: readonly ApiKeyConfig[]; insecure?: boolean }): string {
  const { host, keys } = opts;
  if (keys.length > 0) {
    const list = keys.map((k) => `${k.name} (${k.scopes.join('+')})`).join(', ');
    return `API keys required: ${keys.length} configured: ${list}`;
  }
  if (isLoopbackHost(host)) {
    return `API open: no API keys configured, so it listens on loopback (${host}) only; set api.keys or FAULTLINE_API_KEYS to require keys`;
  }
  if (!opts.insecure) {
    throw new InsecureBindError(
      `refusing to serve the API on ${host} without API keys: anyone who can reach it could trigger actions. ` +
        'Configure keys (pipeline api.keys or FAULTLINE_API_KEYS="name:scope1+scope2:<sha256 hex>"), ' +
        'listen on 127.0.0.1, or pass --insecure to accept an open API',
    );
  }
  return `WARNING: API open on ${host} with no API keys (--insecure): anyone who can reach it can read, ingest and operate`;
}
