import { afterEach, describe, expect, it } from 'vitest';
import { etcdTimings } from '../../../src/coord/config.js';
import {
  CoordConfigError,
  createCoordinator,
  EmbeddedCoordinator,
  EtcdCoordinator,
  parseCoordinatorConfig,
} from '../../../src/coord/index.js';

const saved = process.env['ETCD_ENDPOINTS'];
afterEach(() => {
  if (saved === undefined) delete process.env['ETCD_ENDPOINTS'];
  else process.env['ETCD_ENDPOINTS'] = saved;
});

describe('coordinator config', () => {
  it('defaults to the embedded backend', () => {
    expect(parseCoordinatorConfig(undefined)).toEqual({ backend: 'embedded' });
    expect(createCoordinator(undefined)).toBeInstanceOf(EmbeddedCoordinator);
  });

  it('fills etcd defaults', () => {
    expect(parseCoordinatorConfig({ backend: 'etcd', endpoints: ['http://127.0.0.1:2379'] })).toMatchObject({
      namespace: 'faultline',
      election: 'heal',
      ttlSeconds: 5,
      callTimeoutMs: 1000,
      callAttempts: 3,
      safeModeAfterMs: 2000,
    });
  });

  it('names the bad field and where it is', () => {
    expect(() => parseCoordinatorConfig({ backend: 'etcd', endpoints: ['localhost'] }, 'pipeline.yaml: coord')).toThrow(
      /pipeline\.yaml: coord\.endpoints\.0: expected http:\/\/host:port/,
    );
    expect(() => parseCoordinatorConfig({ backend: 'etcd', ttlSeconds: 0 })).toThrow(/coordinator\.ttlSeconds/);
    expect(() => parseCoordinatorConfig({ backend: 'zookeeper' })).toThrow(CoordConfigError);
  });

  it('derives keep-alive and demotion margin from the TTL and refuses unsafe combinations', () => {
    const base = parseCoordinatorConfig({ backend: 'etcd', ttlSeconds: 6 });
    if (base.backend !== 'etcd') throw new Error('etcd expected');
    expect(etcdTimings(base)).toEqual({ keepAliveIntervalMs: 2000, demoteMarginMs: 2000 });
    expect(() => etcdTimings({ ...base, keepAliveIntervalMs: 4000, demoteMarginMs: 2500 })).toThrow(CoordConfigError);
    expect(() => etcdTimings({ ...base, callTimeoutMs: 5000 })).toThrow(/callTimeoutMs/);
  });

  it('the etcd backend needs endpoints from the config or ETCD_ENDPOINTS', async () => {
    delete process.env['ETCD_ENDPOINTS'];
    expect(() => createCoordinator({ backend: 'etcd' })).toThrow(/ETCD_ENDPOINTS/);
    process.env['ETCD_ENDPOINTS'] = 'http://127.0.0.1:1';
    const c = createCoordinator({ backend: 'etcd', id: 'x' });
    expect(c).toBeInstanceOf(EtcdCoordinator);
    expect(c.status()).toMatchObject({ id: 'x', backend: 'etcd', leader: false, safeMode: false, campaigning: false });
    await c.close();
  });
});
