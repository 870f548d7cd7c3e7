import { hostname } from 'node:os';
import { z } from 'zod';
import { CoordConfigError } from './errors.js';
import { EtcdAuthConfig, EtcdTlsConfig } from './etcd/security.js';

const endpoint = z.string().regex(/^https?:\/\/[^\s/]+:\d{1,5}\/?$/, 'expected http://host:port');

/** The coordinator section of a configuration (defaults filled in). */
export const CoordinatorConfig = z
  .discriminatedUnion('backend', [
    z.object({
      backend: z.literal('embedded'),
      id: z.string().min(1).optional(),
    }),
    z.object({
      backend: z.literal('etcd'),
      /** Client URLs; empty = env ETCD_ENDPOINTS. */
      endpoints: z.array(endpoint).default([]),
      id: z.string().min(1).optional(),
      namespace: z.string().min(1).default('faultline'),
      election: z.string().min(1).default('heal'),
      /** Lease TTL: a dead leader is replaced within about this long. */
      ttlSeconds: z.number().int().min(1).max(3600).default(5),
      /** Keep-alive period; default TTL / 3. */
      keepAliveIntervalMs: z.number().int().min(50).optional(),
      /** Step down this long before the lease could expire when keep-alives fail; default TTL / 3. */
      demoteMarginMs: z.number().int().min(0).optional(),
      /** Deadline of one etcd call. */
      callTimeoutMs: z.number().int().min(50).default(1000),
      /** Attempts per etcd call (with exponential back-off). */
      callAttempts: z.number().int().min(1).max(10).default(3),
      /** Safe mode after this long without any successful etcd call. */
      safeModeAfterMs: z.number().int().min(100).default(2000),
      probeIntervalMs: z.number().int().min(50).default(500),
      recheckMs: z.number().int().min(50).default(1000),
      /** TLS to etcd (https:// endpoints): `{ ca, cert?, key? }` PEM file paths (etcd/security.ts) */
      tls: EtcdTlsConfig.optional(),
      /** etcd user auth: `{ username, passwordEnv }` (the password from that env variable) */
      auth: EtcdAuthConfig.optional(),
    }),
  ])
  .prefault({ backend: 'embedded' });
export type CoordinatorConfigInput = z.input<typeof CoordinatorConfig>;
export type CoordinatorConfig = z.output<typeof CoordinatorConfig>;
export type EtcdCoordinatorConfig = Extract<CoordinatorConfig, { backend: 'etcd' }>;

/** Parses a coordinator config; a bad field becomes CoordConfigError naming `where` and the path. */
export function parseCoordinatorConfig(input: unknown, where = 'coordinator'): CoordinatorConfig {
  const parsed = CoordinatorConfig.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? `.${issue.path.join('.')}` : '';
    throw new CoordConfigError(`${where}${path}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/** A default candidate id: host, pid and a random suffix (unique per process start). */
export function defaultCandidateId(): string {
  return `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Fills the timing defaults derived from the TTL and checks that they leave the lease safe. */
export function etcdTimings(c: EtcdCoordinatorConfig): { keepAliveIntervalMs: number; demoteMarginMs: number } {
  const ttlMs = c.ttlSeconds * 1000;
  const keepAliveIntervalMs = c.keepAliveIntervalMs ?? Math.round(ttlMs / 3);
  const demoteMarginMs = c.demoteMarginMs ?? Math.round(ttlMs / 3);
  if (keepAliveIntervalMs + demoteMarginMs >= ttlMs) {
    throw new CoordConfigError(
      `coordinator: keepAliveIntervalMs (${keepAliveIntervalMs}) + demoteMarginMs (${demoteMarginMs}) must be below the lease TTL (${ttlMs} ms), or the leader would step down between two keep-alives`,
    );
  }
  if (c.callTimeoutMs >= ttlMs - demoteMarginMs) {
    throw new CoordConfigError(
      `coordinator: callTimeoutMs (${c.callTimeoutMs}) must be below TTL - demoteMarginMs (${ttlMs - demoteMarginMs} ms)`,
    );
  }
  return { keepAliveIntervalMs, demoteMarginMs };
}
