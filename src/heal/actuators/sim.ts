import type { Action } from '../../contracts/action.js';
import { FencingGuard } from '../../coord/fencing-guard.js';
import { ActuatorRejectedError } from '../errors.js';
import type { Actuator, ActuatorResult } from './actuator.js';

export interface SimActuatorOptions {
  name?: string;
  /** applies the action to a simulated system; default: accepts everything */
  apply?: (action: Action) => ActuatorResult | Promise<ActuatorResult>;
}

/**
 * An in-memory actuator for tests and the simulator: checks fencing tokens, is idempotent by action id
 * (a repeated id returns the first result and counts as a duplicate delivery, never a second effect),
 * and keeps what it did.
 */
export class SimActuator implements Actuator {
  readonly kind = 'sim';
  readonly name: string;
  private readonly guard: FencingGuard;
  private readonly results = new Map<string, ActuatorResult>();
  private readonly log: Action[] = [];
  private duplicates = 0;
  private readonly apply: NonNullable<SimActuatorOptions['apply']>;

  constructor(opts: SimActuatorOptions = {}) {
    this.name = opts.name ?? 'sim';
    this.guard = new FencingGuard(`actuator ${this.name}`);
    this.apply = opts.apply ?? (() => ({ details: {} }));
  }

  async execute(action: Action): Promise<ActuatorResult> {
    if (action.fencingToken === null) throw new ActuatorRejectedError(this.name, 'action has no fencing token');
    this.guard.check(action.fencingToken);
    const seen = this.results.get(action.id);
    if (seen) {
      this.duplicates += 1;
      return { ...seen, duplicate: true };
    }
    const result = await this.apply(action);
    this.results.set(action.id, result);
    this.log.push(action);
    return result;
  }

  /** actions applied, in order (each id once) */
  applied(): readonly Action[] {
    return this.log;
  }

  /** deliveries of an id that had already been applied */
  duplicateDeliveries(): number {
    return this.duplicates;
  }

  newestToken(): number | undefined {
    return this.guard.newest();
  }
}
