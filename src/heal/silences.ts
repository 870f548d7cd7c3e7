import type { SilenceConfig } from './config.js';
import { compileGlob } from './glob.js';
import { stableId } from './ids.js';

export interface Silence {
  id: string;
  targets: string[];
  groups: string[];
  from: number;
  to: number;
  mute: 'alarms' | 'actions' | 'both';
  reason: string;
}

/**
 * Silences and maintenance windows: an operator mutes alarms and/or actions for targets (patterns) or
 * groups over a data-time range [from, to).
 */
export class SilenceStore {
  private readonly list: Array<{ s: Silence; match: Array<(n: string) => boolean> }> = [];

  constructor(initial: readonly SilenceConfig[] = []) {
    for (const s of initial) this.add(s);
  }

  add(s: SilenceConfig | Silence): Silence {
    const silence: Silence = {
      id: s.id ?? stableId('sil', s.targets.join(','), s.groups.join(','), s.from, s.to, s.mute),
      targets: [...s.targets],
      groups: [...s.groups],
      from: s.from,
      to: s.to,
      mute: s.mute,
      reason: s.reason,
    };
    this.remove(silence.id);
    this.list.push({ s: silence, match: silence.targets.map(compileGlob) });
    return silence;
  }

  remove(id: string): boolean {
    const i = this.list.findIndex((x) => x.s.id === id);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  all(): Silence[] {
    return this.list.map((x) => ({ ...x.s }));
  }

  /** The silence muting `what` for `target` (in `group`) at `now`, if any (the one ending last). */
  find(target: string, group: string | undefined, now: number, what: 'alarms' | 'actions'): Silence | undefined {
    let best: Silence | undefined;
    for (const { s, match } of this.list) {
      if (now < s.from || now >= s.to) continue;
      if (s.mute !== 'both' && s.mute !== what) continue;
      const everything = s.targets.length === 0 && s.groups.length === 0;
      const hit = everything || match.some((m) => m(target)) || (group !== undefined && s.groups.includes(group));
      if (hit && (!best || s.to > best.to)) best = s;
    }
    return best;
  }
}
