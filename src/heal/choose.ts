import type { Strategy } from '../contracts/action.js';
import type { Fault } from '../contracts/fault.js';
import type { FaultPolicy } from './config.js';
import type { RestartCheck } from './ladder.js';
import type { StrategyLearner } from './learner.js';
import type { PlannedStep, StrategyPlan } from './strategies.js';

export interface ChooseInput {
  fault: Fault;
  policy: FaultPolicy;
  /** rungs used up at the root in this episode (failed, or restart intensity reached) */
  exhausted: ReadonlyMap<Strategy, string>;
  /** rungs tried on this fault that did not help */
  tried: ReadonlyMap<Strategy, string>;
  restartCheck: () => RestartCheck;
  plan: (s: Strategy) => StrategyPlan;
  learner: StrategyLearner;
  /** jump to the last rung (an approval timed out) */
  forceEscalate: boolean;
  /** seeds the learner's draw for this decision (fault id and attempt) */
  key: string;
}

export type Choice =
  | { kind: 'act'; strategy: Strategy; steps: PlannedStep[]; reasons: string[]; exhaust: Array<[Strategy, string]> }
  | {
      kind: 'wait';
      strategy: Strategy;
      steps: PlannedStep[];
      until: number;
      reasons: string[];
      exhaust: Array<[Strategy, string]>;
    };

/** The policy's ladder for a fault type: its strategies in order, escalate always the last rung. */
export function ladderOf(policy: FaultPolicy): Strategy[] {
  const l = policy.strategies.filter((s) => s !== 'escalate');
  return [...l, 'escalate'];
}

/**
 * The next rung for a fault: among the ladder's strategies not exhausted at the root and not tried on
 * this fault, applicable here and (for restart) within the restart intensity, the first in order — or,
 * when the policy learns, the Thompson-sampling pick among them. Nothing left → escalate. A chosen
 * restart still in back-off waits.
 */
export function chooseStrategy(input: ChooseInput): Choice {
  const reasons: string[] = [];
  const exhaust: Array<[Strategy, string]> = [];
  const escalate = (why: string): Choice => {
    const p = input.plan('escalate');
    if (!p.ok) throw new Error(`escalate must always apply: ${p.reason}`);
    return { kind: 'act', strategy: 'escalate', steps: p.steps, reasons: [...reasons, why, ...p.reasons], exhaust };
  };
  if (input.forceEscalate) return escalate('escalate: approval timed out');

  const plans = new Map<Strategy, StrategyPlan & { ok: true }>();
  let restartCheck: RestartCheck | undefined;
  for (const s of ladderOf(input.policy)) {
    if (s === 'escalate') continue;
    const used = input.tried.get(s) ?? input.exhausted.get(s);
    if (used !== undefined) {
      reasons.push(`${s} skipped: ${used}`);
      continue;
    }
    if (s === 'restart') {
      restartCheck = input.restartCheck();
      if (!restartCheck.ok && restartCheck.kind === 'intensity') {
        reasons.push(restartCheck.reason);
        exhaust.push(['restart', restartCheck.reason]);
        continue;
      }
    }
    const p = input.plan(s);
    if (!p.ok) {
      reasons.push(`${s} does not apply: ${p.reason}`);
      continue;
    }
    plans.set(s, p);
  }
  const candidates = [...plans.keys()];
  if (candidates.length === 0) return escalate('escalate: no rung of the ladder left');

  let strategy = candidates[0] as Strategy;
  if (input.policy.learn && candidates.length > 1) {
    const c = input.learner.choose(input.fault.type, candidates, input.key);
    strategy = c.strategy;
    reasons.push(c.reason);
  } else {
    reasons.push(`ladder: ${strategy} is the next rung (${candidates.join(' → ')} → escalate)`);
  }
  const plan = plans.get(strategy) as StrategyPlan & { ok: true };
  if (strategy === 'restart' && restartCheck && !restartCheck.ok && restartCheck.kind === 'backoff') {
    return {
      kind: 'wait',
      strategy,
      steps: plan.steps,
      until: restartCheck.until,
      reasons: [...reasons, restartCheck.reason],
      exhaust,
    };
  }
  if (strategy === 'restart' && restartCheck?.ok) reasons.push(restartCheck.reason);
  return { kind: 'act', strategy, steps: plan.steps, reasons: [...reasons, ...plan.reasons], exhaust };
}
