import type { Action } from '../../../src/contracts/index.js';
import {
  createHealEngine,
  type HealConfigInput,
  type HealEngine,
  type HealStep,
  SimActuator,
} from '../../../src/heal/index.js';
import { leader, type TestCoordinator } from './helpers.js';

export interface Harness {
  engine: HealEngine;
  sim: SimActuator;
  coordinator: TestCoordinator;
  /** every record so far, in order */
  log: HealStep;
  executed: () => Action[];
}

/** An engine with a leading test coordinator and one sim actuator ("the managed system"). */
export async function harness(
  config: HealConfigInput,
  opts: { sim?: SimActuator; coordinator?: TestCoordinator; id?: string; token?: number } = {},
): Promise<Harness> {
  const coordinator = opts.coordinator ?? (await leader(opts.id ?? 'engine-a', opts.token ?? 100));
  const sim = opts.sim ?? new SimActuator();
  const log: HealStep = { faults: [], actions: [], outcomes: [] };
  const engine = createHealEngine({
    config,
    coordinator,
    actuators: { sim },
    onRecord: (r) => {
      if (r.kind === 'fault') log.faults.push(r.fault);
      else if (r.kind === 'action') log.actions.push(r.action);
      else log.outcomes.push(r.outcome);
    },
  });
  return { engine, sim, coordinator, log, executed: () => log.actions.filter((a) => a.decision === 'executed') };
}
