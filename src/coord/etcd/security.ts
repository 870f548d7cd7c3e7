import { readFileSync } from 'node:fs';
import type { IOptions } from 'etcd3';
import { z } from 'zod';
import { inlinePasswordRefused } from '../../transport/kafka-security.js';
import { registerSecret } from '../../transport/log.js';
import { CoordConfigError } from '../errors.js';

/**
 * TLS and user/password auth for the etcd client, from the pipeline's `coordinator:` section
 * (backend etcd). Certificates are PEM file paths read when the client is created; the password
 * comes from the environment variable named by `passwordEnv` and is registered for log masking.
 */

const filePath = z.string().min(1, 'expected a file path');
const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, e.g. FAULTLINE_ETCD_PASSWORD');

export const EtcdTlsConfig = z
  .object({
    /** PEM file of the CA that signed the etcd members' certificates */
    ca: filePath,
    /** PEM client certificate (etcd --client-cert-auth); needs `key` */
    cert: filePath.optional(),
    /** PEM private key of `cert` */
    key: filePath.optional(),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'cert and key go together (client certificate auth needs both)',
    path: ['cert'],
  });
export type EtcdTlsConfig = z.output<typeof EtcdTlsConfig>;

export const EtcdAuthConfig = z
  .object({
    username: z.string().min(1, 'must not be empty'),
    /** environment variable holding the etcd user's password */
    passwordEnv: envVarName,
    password: inlinePasswordRefused('passwordEnv'),
  })
  .strict();
export type EtcdAuthConfig = z.output<typeof EtcdAuthConfig>;

export interface EtcdSecurity {
  tls?: EtcdTlsConfig | undefined;
  auth?: EtcdAuthConfig | undefined;
}

function readPem(path: string, field: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CoordConfigError(`${field}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
}

/**
 * etcd3 client options `credentials` and `auth` from the configuration. TLS needs https:// endpoints
 * (and plain http:// ones would silently get TLS from etcd3), so mixing them is refused.
 */
export function etcdSecurityOptions(
  sec: EtcdSecurity | undefined,
  endpoints: readonly string[],
  env: Record<string, string | undefined> = process.env,
): Pick<IOptions, 'credentials' | 'auth'> {
  const out: Pick<IOptions, 'credentials' | 'auth'> = {};
  if (sec?.tls) {
    const plain = endpoints.filter((e) => e.startsWith('http://'));
    if (plain.length > 0) {
      throw new CoordConfigError(
        `coordinator.tls is set but ${plain.join(', ')} ${plain.length > 1 ? 'are' : 'is'} http://: use https:// endpoints with TLS`,
      );
    }
    out.credentials = {
      rootCertificate: readPem(sec.tls.ca, 'coordinator.tls.ca'),
      ...(sec.tls.cert ? { certChain: readPem(sec.tls.cert, 'coordinator.tls.cert') } : {}),
      ...(sec.tls.key ? { privateKey: readPem(sec.tls.key, 'coordinator.tls.key') } : {}),
    };
  }
  if (sec?.auth) {
    const name = sec.auth.passwordEnv;
    const password = env[name];
    if (password === undefined || password === '') {
      throw new CoordConfigError(
        `coordinator.auth.passwordEnv: environment variable ${name} is not set (it should hold the etcd password)`,
      );
    }
    registerSecret(password);
    out.auth = { username: sec.auth.username, password };
  }
  return out;
}
