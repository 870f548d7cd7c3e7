import { allow, deny, type Gate } from './gate.js';

/** Dry-run: every other check is made and recorded, but nothing is executed. */
export function dryRunGate(dryRun: boolean): Gate {
  return {
    name: 'dry-run',
    check() {
      return dryRun
        ? deny('dry-run', 'dry-run: would execute; not executed', 'skipped', { hold: 'recommend' })
        : allow('live mode');
    },
  };
}
