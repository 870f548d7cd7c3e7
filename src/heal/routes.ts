import type { Strategy } from '../contracts/action.js';
import type { HealConfig } from './config.js';
import { compileGlob } from './glob.js';

/** Which actuator runs an action: the first route matching strategy and target; none → the first actuator. */
export function createRouter(config: HealConfig): (strategy: Strategy, target: string) => string {
  const routes = config.routes.map((r) => ({ ...r, match: r.targets.map(compileGlob) }));
  const fallback = (config.actuators[0] as { name: string }).name;
  return (strategy, target) => {
    for (const r of routes) {
      if (r.strategies.length > 0 && !r.strategies.includes(strategy)) continue;
      if (r.match.length > 0 && !r.match.some((m) => m(target))) continue;
      return r.actuator;
    }
    return fallback;
  };
}
