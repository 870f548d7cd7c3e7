import type { ActionLedger } from '../ledger.js';
import { allow, deny, type Gate, isDisruptive } from './gate.js';

/** At most `max` actions started per `perMs` (sliding window, data time). */
export function rateLimitGate(ledger: ActionLedger, max: number, perMs: number): Gate {
  return {
    name: 'rate-limit',
    check(ctx) {
      if (!isDisruptive(ctx.action)) return allow('rate limit: not disruptive');
      const plan = ctx.plan.filter(isDisruptive).length;
      if (plan > max)
        return deny('rate-limit', `rate limit: the plan has ${plan} actions, more than ${max}`, 'rejected');
      const { count, oldest } = ledger.startedWithin(ctx.now, perMs);
      if (count + plan > max) {
        return deny('rate-limit', `rate limit: ${count} actions within ${perMs / 1000}s (max ${max})`, 'skipped', {
          retryAt: (oldest ?? ctx.now) + perMs,
        });
      }
      return allow(`rate limit: ${count} + ${plan} within ${perMs / 1000}s ≤ ${max}`);
    },
  };
}
