import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MlBackendError } from './errors.js';

/**
 * The tfjs backend, chosen once per thread at start-up:
 *   @tensorflow/tfjs-node ('tensorflow', native) when it loads → else wasm → else cpu (pure JS).
 * `FAULTLINE_TF_BACKEND` (tensorflow|node|wasm|cpu) forces one; a forced backend that fails to
 * load is an error (MlBackendError), never a silent fallback.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];
export const BACKEND_ENV = 'FAULTLINE_TF_BACKEND';

export interface BackendChoice {
  /** the active backend */
  name: BackendName;
  /** how it was chosen */
  forced: boolean;
  /** the backends tried before it and why each failed */
  skipped: { name: BackendName; reason: string }[];
}

/** Sets a backend up and activates it; throws when it cannot. */
export type BackendLoader = () => Promise<void>;

const require = createRequire(import.meta.url);

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

export const defaultLoaders: Record<BackendName, BackendLoader> = {
  async tensorflow() {
    // optionalDependency: absent where its native install failed; a variable keeps tsc from resolving it
    const pkg = '@tensorflow/tfjs-node';
    await import(pkg);
    await activate('tensorflow');
  },
  async wasm() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // the .wasm binaries ship next to the package's resolved entry (dist/); keep the trailing separator
    wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep);
    await activate('wasm');
  },
  async cpu() {
    await activate('cpu');
  },
};

/** Parse the override: undefined when unset/empty. */
export function parseBackendEnv(raw: string | undefined): BackendName | undefined {
  const v = raw?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'node' || v === 'tfjs-node' || v === 'tensorflow') return 'tensorflow';
  if (v === 'wasm' || v === 'cpu') return v;
  throw new MlBackendError(`${BACKEND_ENV}=${JSON.stringify(raw)}: expected one of tensorflow (or node), wasm, cpu`);
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0] : String(err)) ?? 'failed';

/** Try the backends in order (or only the forced one); the first that loads wins. */
export async function chooseBackend(
  opts: { env?: Record<string, string | undefined>; loaders?: Partial<Record<BackendName, BackendLoader>> } = {},
): Promise<BackendChoice> {
  const env = opts.env ?? process.env;
  const loaders = { ...defaultLoaders, ...opts.loaders };
  const forced = parseBackendEnv(env[BACKEND_ENV]);
  if (forced) {
    try {
      await loaders[forced]();
    } catch (err) {
      throw new MlBackendError(`${BACKEND_ENV}=${forced}: the backend could not be loaded: ${reasonOf(err)}`, {
        cause: err,
      });
    }
    return { name: forced, forced: true, skipped: [] };
  }
  const skipped: BackendChoice['skipped'] = [];
  for (const name of BACKEND_ORDER) {
    try {
      await loaders[name]();
      return { name, forced: false, skipped };
    } catch (err) {
      skipped.push({ name, reason: reasonOf(err) });
    }
  }
  throw new MlBackendError(
    `no tfjs backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
  );
}

let chosen: Promise<BackendChoice> | undefined;

/**
 * Choose and activate the backend once for this thread (later calls return the same choice).
 * `log` receives one line naming the backend (and why the faster ones were skipped).
 */
export function initBackend(log?: (msg: string) => void): Promise<BackendChoice> {
  chosen ??= chooseBackend().then((c) => {
    log?.(describeBackend(c));
    return c;
  });
  chosen.catch(() => {
    chosen = undefined;
  });
  return chosen;
}

/** One line for logs: `tfjs backend: wasm (tensorflow unavailable: Cannot find package ...)`. */
export function describeBackend(c: BackendChoice): string {
  const why = c.forced
    ? ` (forced by ${BACKEND_ENV})`
    : c.skipped.length > 0
      ? ` (${c.skipped.map((s) => `${s.name} unavailable: ${s.reason}`).join('; ')})`
      : '';
  return `tfjs backend: ${c.name}${why}`;
}

/** The active backend's name as tfjs reports it. */
export function activeBackend(): string {
  return tf.getBackend();
}
