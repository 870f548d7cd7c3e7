import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyring, hashApiKey, parseApiKeysEnv } from '../../../src/api/keys.js';
import { checkAccess, InsecureBindError, isLoopbackHost, resolveApiKeys } from '../../../src/api/security.js';
import { type ApiConfig, buildApi } from '../../../src/api/server.js';
import { createViews } from '../../../src/api/views.js';
import { API_CONFIG, LIMITS, point } from './fixtures.js';

const KEYS = {
  ingest: 'fl_ingest_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  reader: 'fl_reader_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  admin: 'fl_admin_5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e',
  slow: 'fl_scrypt_77777777777777777777777777777777',
};

const keysConfig = () => [
  { name: 'agent', scopes: ['ingest' as const], hash: hashApiKey(KEYS.ingest) },
  { name: 'grafana', scopes: ['read' as const], hash: hashApiKey(KEYS.reader) },
  { name: 'root', scopes: ['admin' as const], hash: hashApiKey(KEYS.admin) },
  { name: 'ops', scopes: ['read' as const, 'operate' as const], hash: hashApiKey(KEYS.slow, 'scrypt') },
];

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

async function api(config: Partial<ApiConfig> = {}, logger?: object) {
  const app = await buildApi({
    config: { ...API_CONFIG, ...config },
    views: createViews(LIMITS),
    sink: { sendPoints: async () => {} },
    health: async () => ({ broker: true, consumersAssigned: true }),
    ...(logger ? { logger } : {}),
  });
  apps.push(app);
  return app;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys and scopes', () => {
  it('without keys configured every route is open', async () => {
    const app = await api();
    expect((await app.inject({ url: '/v1/anomalies' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/v1/metrics', payload: point() })).statusCode).toBe(202);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });

  it('missing or unknown key → 401 with WWW-Authenticate; wrong scope → 403; right scope → ok', async () => {
    const app = await api({ keys: keysConfig() });
    const none = await app.inject({ url: '/v1/anomalies' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(none.json()).toMatchObject({ error: 'unauthorized', retriable: false });

    const wrong = await app.inject({ url: '/v1/anomalies', headers: bearer('fl_not_a_key') });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().message).toBe('unknown API key');

    const scope = await app.inject({ url: '/v1/anomalies', headers: bearer(KEYS.ingest) });
    expect(scope.statusCode).toBe(403);
    expect(scope.json()).toMatchObject({ error: 'forbidden', message: 'API key "agent" lacks the "read" scope' });
    const readerPost = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: bearer(KEYS.reader),
      payload: point(),
    });
    expect(readerPost.statusCode).toBe(403);

    expect((await app.inject({ url: '/v1/anomalies', headers: bearer(KEYS.reader) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/series', headers: { 'x-api-key': KEYS.reader } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics', headers: bearer(KEYS.reader) })).statusCode).toBe(200);
    const ingest = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: bearer(KEYS.ingest),
      payload: point(),
    });
    expect(ingest.statusCode).toBe(202);
  });

  it('admin implies every scope; scrypt-hashed keys verify', async () => {
    const app = await api({ keys: keysConfig() });
    expect((await app.inject({ url: '/v1/anomalies', headers: bearer(KEYS.admin) })).statusCode).toBe(200);
    const post = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: bearer(KEYS.admin),
      payload: point(),
    });
    expect(post.statusCode).toBe(202);
    expect((await app.inject({ url: '/v1/anomalies', headers: bearer(KEYS.slow) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/anomalies', headers: bearer(KEYS.slow) })).statusCode).toBe(200); // cached
    const post2 = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: bearer(KEYS.slow),
      payload: point(),
    });
    expect(post2.statusCode).toBe(403);
  });

  it('checks the key before reading the body: an unauthenticated bad body is a 401, not a 400', async () => {
    const app = await api({ keys: keysConfig() });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/metrics',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(res.statusCode).toBe(401);
  });

  it('health, readiness, the OpenAPI document and the docs stay public', async () => {
    const app = await api({ keys: keysConfig() });
    for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs']) {
      expect((await app.inject({ url })).statusCode, url).toBe(200);
    }
  });

  it('the OpenAPI document declares the security schemes and the 401/403/429 answers of secured routes', async () => {
    const app = await api({ keys: keysConfig() });
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKeyHeader', 'bearerAuth']);
    const get = doc.paths['/v1/anomalies'].get;
    expect(get.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '429']));
    expect(doc.paths['/healthz'].get.security).toBeUndefined();
    expect(Object.keys(doc.paths['/healthz'].get.responses)).not.toContain('429');
  });
});

describe('rate limiting', () => {
  it('limits per key; requests without a known key share their address bucket; health is exempt', async () => {
    const app = await api({ keys: keysConfig(), rateLimit: { max: 3, window: 60_000 } });
    const get = (headers: Record<string, string> = {}) => app.inject({ url: '/v1/anomalies', headers });
    for (let i = 0; i < 3; i++) expect((await get(bearer(KEYS.reader))).statusCode).toBe(200);
    const limited = await get(bearer(KEYS.reader));
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: 'rate_limited', retriable: true });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(1);
    // another key has its own bucket
    expect((await get(bearer(KEYS.admin))).statusCode).toBe(200);
    // guessing keys is limited by address
    for (let i = 0; i < 3; i++) expect((await get(bearer(`fl_guess_${i}`))).statusCode).toBe(401);
    expect((await get(bearer('fl_guess_again'))).statusCode).toBe(429);
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('rateLimit.max 0 turns it off', async () => {
    const app = await api({ rateLimit: { max: 0, window: 1000 } });
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/v1/series' })).statusCode).toBe(200);
  });
});

describe('no secret is logged', () => {
  it('keys, good or bad, never appear in the log, even when headers are logged', async () => {
    let logged = '';
    const stream = new Writable({
      write(chunk, _enc, cb) {
        logged += chunk.toString();
        cb();
      },
    });
    const app = await api({ keys: keysConfig() }, { level: 'trace', stream });
    await app.inject({ url: '/v1/anomalies', headers: bearer(KEYS.reader) });
    await app.inject({ url: '/v1/anomalies', headers: bearer(KEYS.ingest) });
    await app.inject({ url: '/v1/anomalies', headers: { 'x-api-key': 'fl_wrong_key_123456' } });
    await app.inject({ url: '/v1/anomalies', headers: bearer(KEYS.slow) });
    await app.inject({ method: 'POST', url: '/v1/metrics', headers: bearer(KEYS.ingest), payload: point() });
    app.log.info({ req: { headers: { authorization: `Bearer ${KEYS.admin}`, 'x-api-key': KEYS.admin } } }, 'headers');
    app.log.info({ headers: { authorization: `Bearer ${KEYS.admin}` } }, 'bare headers');
    expect(logged).toContain('rejected an unknown API key');
    expect(logged).toContain('lacks the scope');
    expect(logged).toContain('[redacted]');
    for (const secret of [...Object.values(KEYS), 'fl_wrong_key_123456']) expect(logged).not.toContain(secret);
  });
});

describe('key configuration', () => {
  it('parses FAULTLINE_API_KEYS: name:scope1+scope2:hash,...', () => {
    const h = hashApiKey('k1');
    const s = hashApiKey('k2', 'scrypt');
    const keys = parseApiKeysEnv(` ci:ingest:${h} , ops:read+operate:${s}`);
    expect(keys.map((k) => [k.name, k.scopes])).toEqual([
      ['ci', ['ingest']],
      ['ops', ['read', 'operate']],
    ]);
    const ring = createKeyring(keys);
    expect(ring.verify('k1')?.name).toBe('ci');
    expect(ring.verify('k2')?.name).toBe('ops');
    expect(ring.verify('k3')).toBeNull();
    expect(parseApiKeysEnv('')).toEqual([]);
    expect(parseApiKeysEnv(undefined)).toEqual([]);
  });

  it('a bad entry is named by position and name, never by its hash', () => {
    const h = hashApiKey('k1');
    expect(() => parseApiKeysEnv(`ci:ingest:${h},ops:read`)).toThrow(
      /FAULTLINE_API_KEYS entry 2 \("ops"\): expected name:scope1\+scope2:hash/,
    );
    expect(() => parseApiKeysEnv(`ci:fly:${h}`)).toThrow(/entry 1 \("ci"\): scopes\.0/);
    expect(() => parseApiKeysEnv('ci:read:abc')).toThrow(/entry 1 \("ci"\): hash: expected a sha256 hex digest/);
    expect(() => resolveApiKeys([{ name: 'ci', scopes: ['read'], hash: h }], `ci:read:${hashApiKey('x')}`)).toThrow(
      /"ci" is configured twice/,
    );
  });

  it('open (no keys) only on loopback unless --insecure', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('10.1.2.3')).toBe(false);
    expect(checkAccess({ host: '127.0.0.1', keys: [] })).toMatch(/API open: .*loopback/);
    expect(() => checkAccess({ host: '0.0.0.0', keys: [] })).toThrow(InsecureBindError);
    expect(checkAccess({ host: '0.0.0.0', keys: [], insecure: true })).toMatch(/^WARNING: API open on 0\.0\.0\.0/);
    const keys = [{ name: 'ci', scopes: ['ingest' as const], hash: hashApiKey('k') }];
    expect(checkAccess({ host: '0.0.0.0', keys })).toBe('API keys required: 1 configured: ci (ingest)');
  });
});

describe('CORS', () => {
  it('is off by default: no CORS headers for any origin', async () => {
    const app = await api();
    const res = await app.inject({ url: '/v1/series', headers: { origin: 'https://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers listed origins only, preflight included', async () => {
    const app = await api({ cors: { origins: ['https://grafana.example'] } });
    const ok = await app.inject({ url: '/v1/series', headers: { origin: 'https://grafana.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://grafana.example');
    const other = await app.inject({ url: '/v1/series', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await app.inject({
      method: 'OPTIONS',
      url: '/v1/metrics',
      headers: { origin: 'https://grafana.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toMatch(/authorization/);
  });
});

describe('faultline start', () => {
  it('refuses an open API on a non-loopback address before starting anything (usage error)', async () => {
    const { runStart } = await import('../../../src/cli/commands/start.js');
    const saved = process.env.FAULTLINE_API_KEYS;
    delete process.env.FAULTLINE_API_KEYS;
    try {
      await expect(runStart({ host: '0.0.0.0', demo: false })).rejects.toMatchObject({
        name: 'UsageError',
        message: expect.stringMatching(/refusing to serve the API on 0\.0\.0\.0 without API keys.*--insecure/),
      });
      process.env.FAULTLINE_API_KEYS = 'ci:ingest:nothex';
      await expect(runStart({ host: '127.0.0.1', demo: false })).rejects.toMatchObject({
        name: 'UsageError',
        message: expect.stringMatching(/FAULTLINE_API_KEYS entry 1 \("ci"\): hash/),
      });
    } finally {
      if (saved === undefined) delete process.env.FAULTLINE_API_KEYS;
      else process.env.FAULTLINE_API_KEYS = saved;
    }
  });
});
