import type { Coordinator } from '../../coord/types.js';
import { allow, deny, type Gate } from './gate.js';

/**
 * Only the leader acts, and never in safe mode: otherwise the action is skipped (the fault stays open,
 * so a new leader picks it up) with the coordinator's reason.
 */
export function leadershipGate(coordinator: Coordinator, retryEveryMs: number): Gate {
  return {
    name: 'leadership',
    check(ctx) {
      const st = coordinator.status();
      if (st.safeMode) {
        return deny('leadership', `safe mode: ${st.reason}; no action`, 'skipped', { retryAt: ctx.now + retryEveryMs });
      }
      if (!coordinator.isLeader() || ctx.action.fencingToken === null) {
        return deny('leadership', `not the leader (${st.reason}); no action`, 'skipped', {
          retryAt: ctx.now + retryEveryMs,
        });
      }
      return allow(`leader ${coordinator.id}, fencing token ${ctx.action.fencingToken}`);
    },
  };
}
