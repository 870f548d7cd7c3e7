import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePipeline } from '../../../src/config/load.js';
import { parseCoordinatorConfig } from '../../../src/coord/config.js';
import { CoordConfigError } from '../../../src/coord/errors.js';
import { etcdSecurityOptions } from '../../../src/coord/etcd/security.js';
import {
  describeKafkaSecurity,
  KafkaSecurityError,
  kafkaSecurityOptions,
} from '../../../src/transport/kafka-security.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-sec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pem = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, `-----BEGIN ${body}-----\nAAAA\n-----END ${body}-----\n`);
  return p;
};
const CA = pem('ca.pem', 'CERTIFICATE');
const CERT = pem('client.pem', 'CERTIFICATE');
const KEY = pem('client.key', 'PRIVATE KEY');

const BASE = readFileSync(join(process.cwd(), 'pipelines', 'default.yaml'), 'utf8');
/** the default pipeline with its `kafka:` section replaced */
function withKafka(kafkaYaml: string): string {
  const lines = BASE.split('\n');
  const start = lines.findIndex((l) => /^kafka:/.test(l));
  if (start < 0) return `${BASE}\nkafka:\n${kafkaYaml}\n`;
  let end = start + 1;
  while (end < lines.length && /^(\s|$|#)/.test(lines[end] as string)) end++;
  return [...lines.slice(0, start), 'kafka:', kafkaYaml, ...lines.slice(end)].join('\n');
}
const problem = (yaml: string): string => {
  try {
    parsePipeline(yaml, 'p.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('pipeline kafka.ssl / kafka.sasl', () => {
  it('accepts TLS with files, SASL with a password variable, and keeps existing files valid', () => {
    expect(parsePipeline(BASE).kafka.sasl).toBeUndefined();
    const p = parsePipeline(
      withKafka(
        `  ssl: { ca: ${CA}, cert: ${CERT}, key: ${KEY} }\n  sasl: { mechanism: scram-sha-512, username: fl, passwordEnv: FL_KAFKA_PW }`,
      ),
    );
    expect(p.kafka.ssl).toEqual({ ca: CA, cert: CERT, key: KEY, rejectUnauthorized: true });
    expect(p.kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'fl', passwordEnv: 'FL_KAFKA_PW' });
    expect(parsePipeline(withKafka('  ssl: true')).kafka.ssl).toBe(true);
  });

  it('refuses a password written into the file, naming where it belongs', () => {
    const msg = problem(withKafka('  sasl: { mechanism: plain, username: fl, password: hunter2-secret }'));
    expect(msg).toMatch(/kafka\.sasl/);
    expect(msg).toMatch(/environment variable/);
    expect(msg).not.toContain('hunter2-secret');
  });

  it('names the field of other mistakes', () => {
    expect(problem(withKafka('  sasl: { mechanism: gssapi, username: fl, passwordEnv: X }'))).toMatch(
      /kafka\.sasl\.mechanism/,
    );
    expect(problem(withKafka('  sasl: { mechanism: plain, username: fl, passwordEnv: "not a name" }'))).toMatch(
      /kafka\.sasl\.passwordEnv: expected the name of an environment variable/,
    );
    expect(problem(withKafka(`  ssl: { cert: ${CERT} }`))).toMatch(/kafka\.ssl\.cert: cert and key go together/);
  });
});

describe('kafkaSecurityOptions (what kafkajs gets)', () => {
  it('reads the PEM files and the password from the named variable', () => {
    const o = kafkaSecurityOptions(
      {
        ssl: { ca: CA, cert: CERT, key: KEY, rejectUnauthorized: false },
        sasl: { mechanism: 'plain', username: 'fl', passwordEnv: 'FL_KAFKA_PW' },
      },
      { FL_KAFKA_PW: 'pw-from-env-1234' },
    );
    expect(o.ssl).toMatchObject({ rejectUnauthorized: false });
    const ssl = o.ssl as { ca: Buffer[]; cert: Buffer; key: Buffer };
    expect(ssl.ca[0]?.toString()).toContain('BEGIN CERTIFICATE');
    expect(ssl.key.toString()).toContain('BEGIN PRIVATE KEY');
    expect(o.sasl).toEqual({ mechanism: 'plain', username: 'fl', password: 'pw-from-env-1234' });
    expect(kafkaSecurityOptions(undefined)).toEqual({});
    expect(kafkaSecurityOptions({ ssl: true })).toEqual({ ssl: true });
  });

  it('says which variable is missing, and which file cannot be read', () => {
    const sasl = { mechanism: 'scram-sha-256', username: 'fl', passwordEnv: 'FL_NOT_SET' } as const;
    expect(() => kafkaSecurityOptions({ sasl }, {})).toThrow(KafkaSecurityError);
    expect(() => kafkaSecurityOptions({ sasl }, {})).toThrow(
      /kafka\.sasl\.passwordEnv: environment variable FL_NOT_SET/,
    );
    const missing = join(dir, 'nope.pem');
    expect(() => kafkaSecurityOptions({ ssl: { ca: missing, rejectUnauthorized: true } })).toThrow(
      `kafka.ssl.ca: cannot read ${missing} (ENOENT)`,
    );
    try {
      kafkaSecurityOptions({ sasl }, {});
    } catch (err) {
      expect((err as KafkaSecurityError).retriable).toBe(false);
    }
  });

  it('describes the settings without the secret', () => {
    const cfg = { ssl: true, sasl: { mechanism: 'plain', username: 'fl', passwordEnv: 'P' } } as const;
    expect(describeKafkaSecurity(cfg)).toBe('TLS, SASL PLAIN as fl');
    expect(describeKafkaSecurity(undefined)).toBe('plaintext');
  });
});

describe('coordinator (etcd) tls / auth', () => {
  const etcd = (extra: Record<string, unknown>) =>
    parseCoordinatorConfig({ backend: 'etcd', endpoints: ['https://127.0.0.1:2379'], ...extra });

  it('validates tls and auth with clear errors', () => {
    const c = etcd({ tls: { ca: CA, cert: CERT, key: KEY }, auth: { username: 'root', passwordEnv: 'FL_ETCD_PW' } });
    expect(c.backend === 'etcd' && c.tls).toEqual({ ca: CA, cert: CERT, key: KEY });
    expect(() => etcd({ auth: { username: 'root', password: 'inline-pw' } })).toThrow(
      /coordinator\.auth\.(password|passwordEnv)/,
    );
    expect(() => etcd({ auth: { username: 'root', password: 'inline-pw', passwordEnv: 'X' } })).toThrow(
      /coordinator\.auth\.password: do not put a password in the pipeline file/,
    );
    expect(() => etcd({ tls: { cert: CERT } })).toThrow(/coordinator\.tls\.ca/);
  });

  it('gives etcd3 the certificates and the password from the environment', () => {
    const o = etcdSecurityOptions(
      { tls: { ca: CA, cert: CERT, key: KEY }, auth: { username: 'root', passwordEnv: 'FL_ETCD_PW' } },
      ['https://127.0.0.1:2379'],
      { FL_ETCD_PW: 'etcd-pw-5678' },
    );
    expect(o.credentials?.rootCertificate.toString()).toContain('BEGIN CERTIFICATE');
    expect(o.credentials?.certChain?.toString()).toContain('BEGIN CERTIFICATE');
    expect(o.credentials?.privateKey?.toString()).toContain('BEGIN PRIVATE KEY');
    expect(o.auth).toEqual({ username: 'root', password: 'etcd-pw-5678' });
  });

  it('refuses TLS with http:// endpoints and a missing password variable', () => {
    expect(() => etcdSecurityOptions({ tls: { ca: CA } }, ['http://127.0.0.1:2379'])).toThrow(
      /use https:\/\/ endpoints/,
    );
    expect(() =>
      etcdSecurityOptions({ auth: { username: 'root', passwordEnv: 'FL_UNSET_VAR' } }, ['http://a:2379'], {}),
    ).toThrow(CoordConfigError);
  });
});
