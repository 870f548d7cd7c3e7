import type { ActionLedger } from '../ledger.js';
import { allow, deny, type Gate, isDisruptive } from './gate.js';

/** Per-target cooldown: no new action on a target within `cooldownMs` of its last one. */
export function cooldownGate(ledger: ActionLedger, cooldownMs: number): Gate {
  return {
    name: 'cooldown',
    check(ctx) {
      if (!isDisruptive(ctx.action)) return allow('cooldown: not disruptive');
      for (const a of ctx.plan) {
        const last = ledger.lastActionAt(a.target);
        if (last !== undefined && ctx.now < last + cooldownMs) {
          return deny(
            'cooldown',
            `cooldown: last action on ${a.target} ${(ctx.now - last) / 1000}s ago (< ${cooldownMs / 1000}s)`,
            'skipped',
            { retryAt: last + cooldownMs },
          );
        }
      }
      return allow(`cooldown: no action on the targets within ${cooldownMs / 1000}s`);
    },
  };
}
