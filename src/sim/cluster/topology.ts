import { z } from 'zod';

/** What a node runs. Each kind has its own metric profile and restart time. */
export const ServiceKind = z.enum(['db', 'cache', 'api', 'queue', 'worker']);
export type ServiceKind = z.infer<typeof ServiceKind>;

/**
 * replicated: a primary/backup pair (only the primary serves; failover promotes the backup);
 * pooled: members behind a load balancer (traffic shared by weight; a member that fails its health
 * check is ejected after `ejectAfterMs`).
 */
export type GroupMode = 'replicated' | 'pooled';

export interface GroupSpec {
  name: string;
  kind: ServiceKind;
  mode: GroupMode;
  /** members in start order; for a replicated group the first is the initial primary */
  members: string[];
  /** groups whose service every request of this group needs */
  dependsOn: string[];
}

export interface NodeSpec {
  name: string;
  kind: ServiceKind;
  group: string;
}

export interface Topology {
  nodes: NodeSpec[];
  groups: GroupSpec[];
}

/** How many nodes of each kind; db and queue are replicated pairs (2 = primary + backup, 0 = none). */
export const TopologyCounts = z
  .object({
    db: z.number().int().min(0).max(2).default(2),
    cache: z.number().int().min(0).max(16).default(2),
    api: z.number().int().min(1).max(32).default(4),
    queue: z.number().int().min(0).max(2).default(2),
    worker: z.number().int().min(0).max(16).default(2),
  })
  .strict();
export type TopologyCounts = z.input<typeof TopologyCounts>;

const MODE: Record<ServiceKind, GroupMode> = {
  db: 'replicated',
  cache: 'pooled',
  api: 'pooled',
  queue: 'replicated',
  worker: 'pooled',
};

/** What each kind needs (when that kind exists in the topology). */
const NEEDS: Record<ServiceKind, ServiceKind[]> = {
  db: [],
  queue: [],
  cache: ['db'],
  api: ['cache', 'db'],
  worker: ['queue', 'db'],
};

/**
 * A cluster: a database pair, caches in front of it, API servers using both, a queue pair and workers
 * consuming it and writing to the database. The default (2 + 2 + 4 + 2 + 2) is the 12-node cluster of
 * the standard scenario.
 */
export function buildTopology(input: TopologyCounts = {}): Topology {
  const counts = TopologyCounts.parse(input);
  const order: ServiceKind[] = ['db', 'queue', 'cache', 'api', 'worker'];
  const present = new Set(order.filter((k) => counts[k] > 0));
  const groups: GroupSpec[] = [];
  const nodes: NodeSpec[] = [];
  for (const kind of order) {
    const n = counts[kind];
    if (n === 0) continue;
    if (MODE[kind] === 'replicated' && n !== 2) {
      throw new RangeError(`${kind}: a replicated group needs 2 nodes (primary + backup), got ${n}`);
    }
    const members = Array.from({ length: n }, (_, i) => `${kind}-${i + 1}`);
    groups.push({ name: kind, kind, mode: MODE[kind], members, dependsOn: NEEDS[kind].filter((k) => present.has(k)) });
    for (const m of members) nodes.push({ name: m, kind, group: kind });
  }
  return { nodes, groups };
}

/**
 * The `services` and `groups` of a heal configuration describing this topology: every node depends on
 * every member of the groups its group needs (a request may reach any of them), replicated groups are
 * primary/backup groups; at most half of a group is under action at once.
 */
export function healTopology(t: Topology): {
  services: Record<string, { dependsOn: string[] }>;
  groups: Array<{
    name: string;
    members: string[];
    supervision: 'one_for_one';
    replicated: boolean;
    maxUnavailablePercent: number;
  }>;
} {
  const byGroup = new Map(t.groups.map((g) => [g.name, g]));
  const services: Record<string, { dependsOn: string[] }> = {};
  for (const n of t.nodes) {
    const g = byGroup.get(n.group) as GroupSpec;
    services[n.name] = { dependsOn: g.dependsOn.flatMap((d) => byGroup.get(d)?.members ?? []) };
  }
  return {
    services,
    groups: t.groups.map((g) => ({
      name: g.name,
      members: [...g.members],
      supervision: 'one_for_one' as const,
      replicated: g.mode === 'replicated',
      maxUnavailablePercent: 50,
    })),
  };
}
