import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { registerSecret } from './log.js';

/**
 * TLS and SASL for the Kafka client, from the pipeline's `kafka:` section. Certificates and keys are
 * file paths (read when the client is created); a password never sits in the pipeline file: the
 * file names the environment variable that holds it (`passwordEnv`). Secrets read here are
 * registered with the logger, which masks them wherever they would appear.
 */

const filePath = z.string().min(1, 'expected a file path');

/** A POSIX-style environment variable name, e.g. FAULTLINE_KAFKA_PASSWORD. */
export const EnvVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, e.g. FAULTLINE_KAFKA_PASSWORD');

/** Rejects a password written into the configuration itself, saying where it belongs instead. */
export const inlinePasswordRefused = (envKey: string) =>
  z
    .unknown()
    .refine((v) => v === undefined, {
      message: `do not put a password in the pipeline file: set it in an environment variable and name that variable in ${envKey}`,
    })
    .optional()
    .describe(`not allowed: use ${envKey}`);

export const KafkaSslConfig = z.union([
  z.boolean().describe('true: TLS with the system CAs; false: plaintext'),
  z
    .object({
      /** PEM file of the CA(s) that signed the brokers' certificates (default: the system CAs) */
      ca: filePath.optional(),
      /** PEM client certificate (mutual TLS); needs `key` */
      cert: filePath.optional(),
      /** PEM private key of `cert` */
      key: filePath.optional(),
      /** environment variable holding the passphrase of an encrypted `key` */
      passphraseEnv: EnvVarName.optional(),
      passphrase: inlinePasswordRefused('passphraseEnv'),
      /** verify the brokers' certificates (default true; false only for a test cluster) */
      rejectUnauthorized: z.boolean().default(true),
      /** TLS server name to expect when it differs from the broker host */
      servername: z.string().min(1).optional(),
    })
    .strict()
    .refine((s) => (s.cert === undefined) === (s.key === undefined), {
      message: 'cert and key go together (mutual TLS needs both)',
      path: ['cert'],
    }),
]);
export type KafkaSslConfig = z.output<typeof KafkaSslConfig>;

export const KafkaSaslConfig = z
  .object({
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1, 'must not be empty'),
    /** environment variable holding the password (the pipeline file never holds it) */
    passwordEnv: EnvVarName,
    password: inlinePasswordRefused('passwordEnv'),
  })
  .strict();
export type KafkaSaslConfig = z.output<typeof KafkaSaslConfig>;

/** The security part of the pipeline's `kafka:` section (both optional: plaintext, no auth). */
export interface KafkaSecurityConfig {
  ssl?: KafkaSslConfig | undefined;
  sasl?: KafkaSaslConfig | undefined;
}

/** The Kafka security settings cannot be used as configured (a missing file or env variable); retrying cannot help. */
export class KafkaSecurityError extends Error {
  readonly retriable = false;
  override readonly name = 'KafkaSecurityError';
}

type Env = Record<string, string | undefined>;

function readPem(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new KafkaSecurityError(`${field}: cannot read ${path} (${code})`);
  }
}

/** The value of a secret's environment variable (registered for log masking); a clear error when unset. */
export function secretFromEnv(name: string, field: string, env: Env = process.env): string {
  const v = env[name];
  if (v === undefined || v === '') {
    throw new KafkaSecurityError(`${field}: environment variable ${name} is not set (it should hold the secret)`);
  }
  registerSecret(v);
  return v;
}

/** kafkajs `ssl` and `sasl` client options from the configuration (files read, secrets from the environment). */
export function kafkaSecurityOptions(
  cfg: KafkaSecurityConfig | undefined,
  env: Env = process.env,
): { ssl?: ConnectionOptions | boolean; sasl?: SASLOptions } {
  const out: { ssl?: ConnectionOptions | boolean; sasl?: SASLOptions } = {};
  const ssl = cfg?.ssl;
  if (ssl === true) out.ssl = true;
  else if (ssl && typeof ssl === 'object') {
    const o: ConnectionOptions = { rejectUnauthorized: ssl.rejectUnauthorized };
    if (ssl.ca) o.ca = [readPem(ssl.ca, 'kafka.ssl.ca')];
    if (ssl.cert) o.cert = readPem(ssl.cert, 'kafka.ssl.cert');
    if (ssl.key) o.key = readPem(ssl.key, 'kafka.ssl.key');
    if (ssl.passphraseEnv) o.passphrase = secretFromEnv(ssl.passphraseEnv, 'kafka.ssl.passphraseEnv', env);
    if (ssl.servername) o.servername = ssl.servername;
    out.ssl = o;
  }
  const sasl = cfg?.sasl;
  if (sasl) {
    const password = secretFromEnv(sasl.passwordEnv, 'kafka.sasl.passwordEnv', env);
    out.sasl = { mechanism: sasl.mechanism, username: sasl.username, password } as SASLOptions;
  }
  return out;
}

/** What the security settings amount to, for a start-up line (never a secret). */
export function describeKafkaSecurity(cfg: KafkaSecurityConfig | undefined): string {
  const tls = cfg?.ssl
    ? `TLS${typeof cfg.ssl === 'object' && cfg.ssl.cert ? ' (client certificate)' : ''}`
    : 'plaintext';
  const sasl = cfg?.sasl ? `, SASL ${cfg.sasl.mechanism.toUpperCase()} as ${cfg.sasl.username}` : '';
  return `${tls}${sasl}`;
}
