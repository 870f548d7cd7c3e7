import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  BACKEND_ENV,
  type BackendLoader,
  chooseBackend,
  describeBackend,
  parseBackendEnv,
} from '../../../src/ml/backend.js';
import { MlBackendError } from '../../../src/ml/errors.js';

const ok: BackendLoader = async () => {};
const fail =
  (why: string): BackendLoader =>
  async () => {
    throw new Error(why);
  };

describe('chooseBackend', () => {
  it('prefers tfjs-node, then wasm, then cpu', async () => {
    const tried: string[] = [];
    const track =
      (name: string, l: BackendLoader): BackendLoader =>
      async () => {
        tried.push(name);
        await l();
      };
    const c = await chooseBackend({
      env: {},
      loaders: { tensorflow: track('tensorflow', ok), wasm: track('wasm', ok), cpu: track('cpu', ok) },
    });
    expect(c).toEqual({ name: 'tensorflow', forced: false, skipped: [] });
    expect(tried).toEqual(['tensorflow']);
  });

  it('falls back in order and says why each faster backend was skipped', async () => {
    const c = await chooseBackend({
      env: {},
      loaders: { tensorflow: fail('Cannot find package @tensorflow/tfjs-node'), wasm: fail('no .wasm'), cpu: ok },
    });
    expect(c.name).toBe('cpu');
    expect(c.skipped.map((s) => s.name)).toEqual(['tensorflow', 'wasm']);
    expect(describeBackend(c)).toContain('tensorflow unavailable: Cannot find package');
  });

  it('the env var forces a backend; a forced backend that fails is an error, not a fallback', async () => {
    const c = await chooseBackend({ env: { [BACKEND_ENV]: 'cpu' }, loaders: { tensorflow: ok, wasm: ok, cpu: ok } });
    expect(c).toEqual({ name: 'cpu', forced: true, skipped: [] });
    const err = await chooseBackend({ env: { [BACKEND_ENV]: 'node' }, loaders: { tensorflow: fail('missing') } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MlBackendError);
    expect((err as MlBackendError).message).toContain(`${BACKEND_ENV}=tensorflow`);
    expect((err as MlBackendError).retriable).toBe(false);
  });

  it('rejects an unknown override naming the accepted values', () => {
    expect(() => parseBackendEnv('gpu')).toThrow(/expected one of tensorflow \(or node\), wasm, cpu/);
    expect(parseBackendEnv(' WASM ')).toBe('wasm');
    expect(parseBackendEnv('')).toBeUndefined();
  });

  it('with the real loaders here: tfjs-node is not installed, so wasm; the override switches to cpu', async () => {
    const c = await chooseBackend({ env: {} });
    expect(c.name).toBe('wasm');
    expect(c.skipped[0]?.name).toBe('tensorflow');
    expect(tf.getBackend()).toBe('wasm');
    const forced = await chooseBackend({ env: { [BACKEND_ENV]: 'cpu' } });
    expect(forced.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
