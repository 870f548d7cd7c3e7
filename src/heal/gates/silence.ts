import type { SilenceStore } from '../silences.js';
import { allow, deny, type Gate } from './gate.js';

/** Silences and maintenance windows muting actions: skipped until the silence ends. */
export function silenceGate(store: SilenceStore): Gate {
  return {
    name: 'silence',
    check(ctx) {
      for (const a of ctx.plan) {
        const s = store.find(a.target, ctx.groupOf(a.target), ctx.now, 'actions');
        if (s) {
          return deny(
            'silence',
            `silenced: ${a.target} muted by ${s.id} (${s.reason}) until ${new Date(s.to).toISOString()}`,
            'skipped',
            { retryAt: s.to },
          );
        }
      }
      return allow('silence: no silence on the targets');
    },
  };
}
