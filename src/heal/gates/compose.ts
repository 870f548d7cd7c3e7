import type { Gate, GateContext, GateVerdict } from './gate.js';

/**
 * Composes gates like cockatiel's `wrap(...)`: checked in order, the first denial wins and stops the
 * chain; the reasons of the gates that allowed are kept, so the audit shows every check made. The
 * result is itself a Gate, so compositions nest.
 */
export function composeGates(...gates: Gate[]): Gate {
  return {
    name: gates.map((g) => g.name).join('+') || 'none',
    check(ctx: GateContext): GateVerdict {
      const reasons: string[] = [];
      for (const g of gates) {
        const v = g.check(ctx);
        if (!v.allow) return { ...v, reasons: [...reasons, ...v.reasons] };
        reasons.push(...v.reasons);
      }
      return { allow: true, reasons };
    },
  };
}
