import type { Action } from '../../contracts/action.js';
import { ActuatorRejectedError } from '../errors.js';

/** The only placeholders an argv template may use. */
export const PLACEHOLDER_NAMES: readonly string[] = [
  'target',
  'strategy',
  'actionId',
  'faultId',
  'token',
  'group',
  'destination',
];

/**
 * What a placeholder value may look like: letters, digits and `._:@-`, starting with a letter or
 * digit, at most 128 characters. No `/`, no whitespace, no quotes or shell characters, and no leading
 * `-` (so a value can never become an option of the executable).
 */
export const SAFE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

function valuesOf(action: Action): Record<string, string | undefined> {
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  return {
    target: action.target,
    strategy: action.strategy,
    actionId: action.id,
    faultId: action.faultId,
    token: action.fencingToken === null ? undefined : String(action.fencingToken),
    group: str(action.params['group']),
    destination: str(action.params['destination']),
  };
}

/**
 * Renders an argv template for an action: each template element becomes exactly one argument (never
 * split, never passed to a shell), each `{placeholder}` replaced by a value that must match SAFE_VALUE.
 * Anything else throws ActuatorRejectedError (not retriable) naming the placeholder.
 */
export function renderArgv(actuator: string, template: readonly string[], action: Action): string[] {
  const values = valuesOf(action);
  return template.map((arg) =>
    arg.replace(/\{([^}]*)\}/g, (_, key: string) => {
      if (!PLACEHOLDER_NAMES.includes(key)) throw new ActuatorRejectedError(actuator, `unknown placeholder {${key}}`);
      const v = values[key];
      if (v === undefined) throw new ActuatorRejectedError(actuator, `{${key}} has no value for action ${action.id}`);
      if (!SAFE_VALUE.test(v)) {
        throw new ActuatorRejectedError(
          actuator,
          `{${key}} value ${JSON.stringify(v.slice(0, 80))} is not a safe name (${SAFE_VALUE.source})`,
        );
      }
      return v;
    }),
  );
}
