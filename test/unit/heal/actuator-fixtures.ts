import type { Action } from '../../../src/contracts/index.js';
import { SCHEMA_VERSION } from '../../../src/contracts/index.js';
import { T0 } from './helpers.js';

/** An executed-to-be action for actuator tests. */
export function act(p: Partial<Action> = {}): Action {
  return {
    v: SCHEMA_VERSION,
    id: 'act-0123456789abcdef0123',
    faultId: 'flt-0123456789abcdef0123',
    strategy: 'restart',
    target: 'db-1',
    params: {},
    fencingToken: 10,
    mode: 'automatic',
    decision: 'proposed',
    reasons: [],
    dryRun: false,
    ts: T0,
    attempt: 1,
    engine: 'engine-a',
    actuator: 'x',
    ...p,
  };
}
