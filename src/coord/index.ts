/**
 * Coordination of heal engines: leader election with fencing tokens and a primary/backup registry.
 * `createCoordinator(config)` picks the backend: embedded (one process, the default) or etcd.
 */
import { type CoordinatorConfigInput, defaultCandidateId, etcdTimings, parseCoordinatorConfig } from './config.js';
import { EmbeddedCoordinator } from './embedded.js';
import { CoordConfigError } from './errors.js';
import { EtcdCoordinator } from './etcd/coordinator.js';
import type { Coordinator } from './types.js';

export { CoordinatorConfig, type CoordinatorConfigInput, parseCoordinatorConfig } from './config.js';
export { EmbeddedCoordinator, type EmbeddedCoordinatorOptions } from './embedded.js';
export * from './errors.js';
export { EtcdCoordinator, type EtcdCoordinatorSettings } from './etcd/coordinator.js';
export { FencingGuard } from './fencing-guard.js';
export { FencingToken, parseToken } from './token.js';
export type { Coordinator, CoordinatorStatus, LeadershipEvent, PromoteOptions, RegistryEntry } from './types.js';

/** ETCD_ENDPOINTS as a list ('' or unset -> []). */
function envEndpoints(): string[] {
  return (process.env['ETCD_ENDPOINTS'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

/**
 * A coordinator from config (validated with zod; a bad field throws CoordConfigError naming it).
 * etcd endpoints come from the config, else env ETCD_ENDPOINTS.
 */
export function createCoordinator(
  input: CoordinatorConfigInput | undefined,
  opts: { log?: (m: string) => void; where?: string } = {},
): Coordinator {
  const c = parseCoordinatorConfig(input, opts.where);
  if (c.backend === 'embedded') return new EmbeddedCoordinator(c.id ? { id: c.id } : {});
  const endpoints = c.endpoints.length > 0 ? c.endpoints : envEndpoints();
  if (endpoints.length === 0) {
    throw new CoordConfigError(
      `${opts.where ?? 'coordinator'}.endpoints: the etcd backend needs endpoints (or env ETCD_ENDPOINTS); ` +
        'start a local cluster with infra/etcd (startEtcdCluster) or use backend: embedded',
    );
  }
  const parsed = parseCoordinatorConfig({ ...c, endpoints }, opts.where);
  if (parsed.backend !== 'etcd') throw new CoordConfigError('unreachable');
  return new EtcdCoordinator({
    ...parsed,
    ...etcdTimings(parsed),
    endpoints,
    id: parsed.id ?? defaultCandidateId(),
    log: opts.log ?? (() => {}),
  });
}
