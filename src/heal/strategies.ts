import type { Strategy } from '../contracts/action.js';
import type { Fault } from '../contracts/fault.js';
import type { GroupConfig, HealConfig } from './config.js';
import type { Destination, DestinationPicker } from './destination.js';
import type { DependencyGraph } from './graph.js';
import { chooseRedundancy } from './redundancy.js';
import { recoveryPlan } from './supervision.js';

/** One action a strategy wants, before gates. */
export interface PlannedStep {
  strategy: Strategy;
  target: string;
  params: Record<string, unknown>;
}

export type StrategyPlan = { ok: true; steps: PlannedStep[]; reasons: string[] } | { ok: false; reason: string };

export interface PlanContext {
  fault: Fault;
  group: GroupConfig | undefined;
  graph: DependencyGraph;
  /** sources currently alarming (not valid destinations or backups) */
  failing: (source: string) => boolean;
  destinations: DestinationPicker;
  /** what is known about a possible destination */
  describe: (source: string) => Destination;
  redundancy: HealConfig['redundancy'];
}

/** Members of the root's group that could take over: not the root, not failing. */
function healthyPeers(ctx: PlanContext): string[] {
  if (!ctx.group) return [];
  return ctx.group.members.filter((m) => m !== ctx.fault.root && !ctx.failing(m));
}

/**
 * What a strategy would do about a fault, or why it does not apply here:
 * restart (the supervision set, in dependency order); reallocate (load to a healthy peer chosen by the
 * destination policy); failover (promote a healthy backup of a replicated group, with the redundancy the
 * risk calls for); circuit_break (open breakers on the root's direct dependents); throttle; redistribute
 * (weights away from the root across its group); escalate (page a human).
 */
export function planStrategy(strategy: Strategy, ctx: PlanContext): StrategyPlan {
  const root = ctx.fault.root;
  switch (strategy) {
    case 'restart': {
      const plan = recoveryPlan(ctx.group, ctx.graph, root);
      return {
        ok: true,
        steps: plan.targets.map((t) => ({ strategy, target: t, params: t === root ? {} : { companionOf: root } })),
        reasons: plan.reasons,
      };
    }
    case 'reallocate': {
      const peers = healthyPeers(ctx);
      if (peers.length === 0) return { ok: false, reason: `reallocate: ${root} has no healthy peer in a group` };
      const pick = ctx.destinations.pick(peers.map(ctx.describe), ctx.group?.name ?? root);
      if (!pick) return { ok: false, reason: 'reallocate: no destination' };
      return {
        ok: true,
        steps: [{ strategy, target: root, params: { destination: pick.id, group: ctx.group?.name } }],
        reasons: [pick.reason],
      };
    }
    case 'failover': {
      if (!ctx.group?.replicated) return { ok: false, reason: `failover: ${root} is not in a replicated group` };
      const peers = healthyPeers(ctx);
      if (peers.length === 0) return { ok: false, reason: `failover: no healthy backup in group ${ctx.group.name}` };
      const pick = ctx.destinations.pick(peers.map(ctx.describe), `failover:${ctx.group.name}`);
      if (!pick) return { ok: false, reason: 'failover: no backup' };
      const red = chooseRedundancy(
        ctx.fault.risk,
        { byzantine: ctx.fault.type === 'data_corruption', dependents: ctx.graph.allDependents(root).length },
        ctx.redundancy,
      );
      return {
        ok: true,
        steps: [
          { strategy, target: root, params: { group: ctx.group.name, destination: pick.id, redundancy: red.mode } },
        ],
        reasons: [`backup ${pick.reason}`, red.reason],
      };
    }
    case 'circuit_break': {
      const callers = ctx.graph.dependentsOf(root);
      if (callers.length === 0) return { ok: false, reason: `circuit_break: nothing depends on ${root}` };
      return {
        ok: true,
        steps: [{ strategy, target: root, params: { callers: [...callers] } }],
        reasons: [`open breakers on the calls of ${callers.join(', ')} to ${root}`],
      };
    }
    case 'throttle':
      return {
        ok: true,
        steps: [{ strategy, target: root, params: { factor: 0.5 } }],
        reasons: ['halve the load admitted'],
      };
    case 'redistribute': {
      const peers = healthyPeers(ctx);
      if (peers.length === 0) return { ok: false, reason: `redistribute: ${root} has no healthy peer in a group` };
      const w = Number((1 / peers.length).toFixed(4));
      const weights: Record<string, number> = { [root]: 0 };
      for (const p of peers) weights[p] = w;
      return {
        ok: true,
        steps: [{ strategy, target: root, params: { group: ctx.group?.name, weights } }],
        reasons: [`weights: ${root} 0, ${peers.join(', ')} ${w} each`],
      };
    }
    case 'escalate':
      return {
        ok: true,
        steps: [
          {
            strategy,
            target: root,
            params: {
              page: true,
              summary: `${ctx.fault.type} at ${root} (${ctx.fault.severity}, P${ctx.fault.priority}); symptoms: ${ctx.fault.symptoms.join(', ') || 'none'}`,
            },
          },
        ],
        reasons: ['page a human'],
      };
  }
}
