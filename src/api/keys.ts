import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * API keys with scopes. Keys are configured hashed only (the pipeline's `api.keys`, or the env
 * variable FAULTLINE_API_KEYS): the server never holds a plain key, and never logs one.
 *
 * Scopes: `ingest` (POST /v1/metrics), `read` (anomalies, series, the live stream, /metrics),
 * `operate` (approvals and manual actions), `admin` (model promotion, pipeline changes — and every
 * other scope). A key has exactly the scopes it lists, except that `admin` implies all.
 */

export const Scope = z.enum(['ingest', 'read', 'operate', 'admin']);
export type Scope = z.infer<typeof Scope>;
export const SCOPES = Scope.options;

const SHA256_HEX = /^[0-9a-f]{64}$/;
/** `scrypt$<N>$<r>$<p>$<salt, base64url>$<hash, base64url>` */
const SCRYPT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

export const KeyHash = z
  .string()
  .transform((s) => s.trim())
  .refine(
    (s) => SHA256_HEX.test(s.toLowerCase()) || SCRYPT.test(s),
    'expected a sha256 hex digest (64 hex characters) or scrypt$N$r$p$salt$hash (see `hashApiKey`)',
  )
  .describe('the key hashed: sha256 hex, or scrypt$N$r$p$salt$hash (base64url)');

export const ApiKeyConfig = z
  .object({
    /** who holds the key; shown in logs and errors instead of the key */
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[A-Za-z0-9_.@-]+$/, 'letters, digits and _ . @ - only'),
    scopes: z.array(Scope).min(1, 'a key needs at least one scope'),
    hash: KeyHash,
  })
  .strict();
export type ApiKeyConfig = z.output<typeof ApiKeyConfig>;

/** A problem with the key configuration; retrying cannot help. */
export class ApiKeyConfigError extends Error {
  readonly retriable = false;
  override readonly name = 'ApiKeyConfigError';
}

/**
 * Parses FAULTLINE_API_KEYS: `name:scope1+scope2:hash,...` (hash = sha256 hex or an scrypt string).
 * Empty or unset → no keys. An error names the entry (by position and name, never the hash).
 */
export function parseApiKeysEnv(raw: string | undefined, varName = 'FAULTLINE_API_KEYS'): ApiKeyConfig[] {
  if (!raw || raw.trim() === '') return [];
  const out: ApiKeyConfig[] = [];
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const parts = entry.split(':');
    const where = `${varName} entry ${i + 1}${parts[0] ? ` ("${parts[0]}")` : ''}`;
    if (parts.length !== 3) throw new ApiKeyConfigError(`${where}: expected name:scope1+scope2:hash`);
    const [name, scopes, hash] = parts as [string, string, string];
    const r = ApiKeyConfig.safeParse({ name, scopes: scopes.split('+').filter(Boolean), hash });
    if (!r.success) {
      const iss = r.error.issues[0];
      throw new ApiKeyConfigError(`${where}: ${iss?.path.join('.') || 'entry'}: ${iss?.message ?? 'invalid'}`);
    }
    out.push(r.data);
  });
  return out;
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** Hashes a key for the configuration: `sha256` (default; fine for random keys) or `scrypt`. */
export function hashApiKey(key: string, algorithm: 'sha256' | 'scrypt' = 'sha256'): string {
  if (algorithm === 'sha256') return sha256Hex(key);
  const N = 16384;
  const r = 8;
  const p = 1;
  const salt = randomBytes(16);
  const hash = scryptSync(key, salt, 32, { N, r, p });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** A new random key (32 bytes, base64url): hand it to the client, configure `hashApiKey(key)`. */
export function generateApiKey(): string {
  return `fl_${randomBytes(32).toString('base64url')}`;
}

/** Who called: the key's name and its scopes (never the key). */
export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
}

export function hasScope(p: Principal, scope: Scope): boolean {
  return p.scopes.has('admin') || p.scopes.has(scope);
}

export interface Keyring {
  readonly size: number;
  /** the key's principal if it matches a configured hash, else null (constant time per configured key) */
  verify(presented: string): Principal | null;
  /** a cheap lookup (no scrypt) of keys already verified: for the rate limiter */
  known(presented: string): Principal | null;
  names(): string[];
}

const MAX_KEY_LENGTH = 512;
const VERIFIED_CACHE = 1024;

interface ScryptEntry {
  principal: Principal;
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

export function createKeyring(keys: readonly ApiKeyConfig[]): Keyring {
  const seen = new Set<string>();
  const bySha = new Map<string, Principal>();
  const scrypts: ScryptEntry[] = [];
  for (const k of keys) {
    if (seen.has(k.name)) throw new ApiKeyConfigError(`api key "${k.name}" is configured twice`);
    seen.add(k.name);
    const principal: Principal = { name: k.name, scopes: new Set(k.scopes) };
    const m = SCRYPT.exec(k.hash);
    if (m) {
      const [, N, r, p, salt, hash] = m as unknown as [string, string, string, string, string, string];
      scrypts.push({
        principal,
        N: Number(N),
        r: Number(r),
        p: Number(p),
        salt: Buffer.from(salt, 'base64url'),
        hash: Buffer.from(hash, 'base64url'),
      });
    } else {
      const hex = k.hash.toLowerCase();
      if (bySha.has(hex)) throw new ApiKeyConfigError(`api key "${k.name}" has the same hash as another key`);
      bySha.set(hex, principal);
    }
  }
  const shaEntries = [...bySha.entries()].map(([hex, p]) => ({ digest: Buffer.from(hex, 'hex'), principal: p }));
  /** sha256 of a presented key → its principal, for scrypt keys already verified (bounded, oldest dropped) */
  const verified = new Map<string, Principal>();

  function viaSha(presented: string): Principal | null {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: Principal | null = null;
    for (const e of shaEntries) if (timingSafeEqual(digest, e.digest)) found = e.principal;
    return found;
  }

  return {
    size: keys.length,
    names: () => keys.map((k) => k.name),
    known(presented) {
      if (!presented || presented.length > MAX_KEY_LENGTH) return null;
      return viaSha(presented) ?? verified.get(sha256Hex(presented)) ?? null;
    },
    verify(presented) {
      if (!presented || presented.length > MAX_KEY_LENGTH) return null;
      const direct = viaSha(presented);
      if (direct || scrypts.length === 0) return direct;
      const fingerprint = sha256Hex(presented);
      const cached = verified.get(fingerprint);
      if (cached) return cached;
      let found: Principal | null = null;
      for (const e of scrypts) {
        const h = scryptSync(presented, e.salt, e.hash.length, { N: e.N, r: e.r, p: e.p, maxmem: 256 * e.N * e.r });
        if (timingSafeEqual(h, e.hash)) found = e.principal;
      }
      if (found) {
        verified.set(fingerprint, found);
        if (verified.size > VERIFIED_CACHE) verified.delete(verified.keys().next().value as string);
      }
      return found;
    },
  };
}
