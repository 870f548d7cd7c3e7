import { hostname } from 'node:os';
import type { PipelineConfig } from '../../config/pipeline.js';
import { createCoordinator } from '../../coord/index.js';
import type { Coordinator } from '../../coord/types.js';

/**
 * The coordinator of a heal engine: etcd when the pipeline's `coordinator:` section says so (or
 * `endpoints` are given here, e.g. `--etcd`), else the embedded one (a single engine: it leads at once).
 * `id` names this engine (default: the configured id, else `heal-<host>` embedded / a unique id on etcd).
 */
export function coordinatorFor(
  pipeline: Pick<PipelineConfig, 'coordinator'>,
  opts: { id?: string; endpoints?: string[]; log?: (m: string) => void } = {},
): Coordinator {
  const c = pipeline.coordinator;
  const endpoints = opts.endpoints?.filter(Boolean) ?? [];
  if (endpoints.length > 0) {
    return createCoordinator(
      { ...(c?.backend === 'etcd' ? c : {}), backend: 'etcd', endpoints, ...(opts.id ? { id: opts.id } : {}) },
      { where: 'coordinator', ...(opts.log ? { log: opts.log } : {}) },
    );
  }
  if (c?.backend === 'etcd') {
    return createCoordinator(
      { ...c, ...(opts.id ? { id: opts.id } : {}) },
      { where: 'coordinator', ...(opts.log ? { log: opts.log } : {}) },
    );
  }
  return createCoordinator({ backend: 'embedded', id: opts.id ?? c?.id ?? `heal-${hostname()}` });
}
