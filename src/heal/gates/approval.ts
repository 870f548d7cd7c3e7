import { allow, deny, type Gate } from './gate.js';

/**
 * Approval modes: automatic acts; semi-automatic holds the action for an operator (until approved,
 * or the timeout rejects and escalates); manual only recommends. Paging (escalate) is always automatic.
 */
export function approvalGate(timeoutMs: number): Gate {
  return {
    name: 'approval',
    check(ctx) {
      if (ctx.action.strategy === 'escalate') return allow('approval: escalation is always automatic');
      if (ctx.mode === 'automatic') return allow('approval: automatic mode');
      if (ctx.mode === 'manual') {
        return deny('approval', 'manual mode: recommendation only, an operator acts', 'proposed', {
          hold: 'recommend',
        });
      }
      if (ctx.approved) return allow('approval: approved by an operator');
      return deny(
        'approval',
        `semi-automatic mode: awaiting approval until ${new Date(ctx.now + timeoutMs).toISOString()} (then rejected and escalated)`,
        'proposed',
        { hold: 'approval' },
      );
    },
  };
}
