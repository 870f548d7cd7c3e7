import type { ActionLedger } from '../ledger.js';
import { allow, deny, type Gate, isDisruptive } from './gate.js';

/** At most `max` actions in flight (executed, not yet verified) at once — FBAR's cap on repairs. */
export function concurrencyGate(ledger: ActionLedger, max: number, retryEveryMs: number): Gate {
  return {
    name: 'concurrency',
    check(ctx) {
      if (!isDisruptive(ctx.action)) return allow('concurrency: not disruptive');
      const plan = ctx.plan.filter(isDisruptive).length;
      if (plan > max) {
        return deny(
          'concurrency',
          `concurrency: the plan has ${plan} actions, more than maxConcurrent ${max}`,
          'rejected',
        );
      }
      const inFlight = ledger.inFlight().length;
      if (inFlight + plan > max) {
        return deny('concurrency', `concurrency: ${inFlight} actions in flight (max ${max})`, 'skipped', {
          retryAt: ctx.now + retryEveryMs,
        });
      }
      return allow(`concurrency: ${inFlight} + ${plan} in flight ≤ ${max}`);
    },
  };
}
