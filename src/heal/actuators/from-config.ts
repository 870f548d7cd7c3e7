import type { Actuator } from './actuator.js';
import { CommandActuator, type RunFile } from './command.js';
import type { ActuatorConfig } from './config.js';
import { SimActuator } from './sim.js';
import { WebhookActuator } from './webhook.js';

/** Builds the configured actuators by name. `overrides` replaces one by name (e.g. a simulator's own sim actuator). */
export function createActuators(
  configs: readonly ActuatorConfig[],
  opts: { overrides?: Record<string, Actuator>; run?: RunFile; fetch?: typeof fetch } = {},
): Record<string, Actuator> {
  const out: Record<string, Actuator> = {};
  for (const c of configs) {
    const given = opts.overrides?.[c.name];
    if (given) {
      out[c.name] = given;
      continue;
    }
    switch (c.kind) {
      case 'sim':
        out[c.name] = new SimActuator({ name: c.name });
        break;
      case 'webhook':
        out[c.name] = new WebhookActuator({
          name: c.name,
          url: c.url,
          headers: c.headers,
          ...(opts.fetch ? { fetch: opts.fetch } : {}),
        });
        break;
      case 'command':
        out[c.name] = new CommandActuator(c, opts.run);
        break;
    }
  }
  return out;
}
