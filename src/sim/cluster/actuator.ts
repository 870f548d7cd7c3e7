import { SimActuator } from '../../heal/actuators/sim.js';
import type { Cluster } from './cluster.js';

/**
 * The heal engine's `sim` actuator driving a simulated cluster: fencing-checked and idempotent by action
 * id (SimActuator), each action applied at the cluster's current data time.
 */
export function clusterActuator(cluster: Cluster, name = 'sim'): SimActuator {
  return new SimActuator({
    name,
    apply: (action) => cluster.apply(action, cluster.now() ?? action.ts),
  });
}
