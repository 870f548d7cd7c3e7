import type { Action, Strategy } from '../contracts/action.js';
import type { CoordinatorStatus } from '../coord/types.js';
import type { HealRecord, HealStatus, HealStep } from '../heal/engine.js';
import { Ring } from './ring.js';
import type { Views } from './views.js';

/** What the API uses of the heal engine (`createHealEngine`'s handle fits). */
export interface HealApi {
  status(): HealStatus;
  pendingApprovals(): Array<{ id: string; faultId: string; strategy: Strategy; deadline: number; plan: Action[] }>;
  approve(actionId: string, by: { by: string }): Promise<HealStep>;
  reject(actionId: string, by: { by: string; reason?: string }): Promise<HealStep>;
}

/** A small pub/sub of heal records: pass `publish` as the engine's `onRecord`, give the hub to the API. */
export interface HealRecords {
  publish(r: HealRecord): void;
  subscribe(listener: (r: HealRecord) => void): () => void;
  /** the latest record of each recent action, most recently updated first */
  recentActions(limit?: number): Action[];
}

export function createHealRecords(keep = 200): HealRecords {
  const listeners = new Set<(r: HealRecord) => void>();
  const recent = new Ring<Action>(keep);
  return {
    publish(r) {
      if (r.kind === 'action') recent.push(r.action);
      for (const l of listeners) {
        try {
          l(r);
        } catch {
          // a listener's bug must not reach the engine
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    recentActions(limit = 50) {
      const seen = new Set<string>();
      const out: Action[] = [];
      const all = recent.toArray();
      for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
        const a = all[i] as Action;
        if (seen.has(a.id)) continue;
        seen.add(a.id);
        out.push(a);
      }
      return out;
    },
  };
}

/** The heal side of `buildApi`: the engine, its records, and optionally the coordinator (leader, token, safe mode). */
export interface HealDeps {
  engine: HealApi;
  records: HealRecords;
  coordinator?: { status(): CoordinatorStatus };
}

/**
 * Feeds an in-process heal engine from the API's views (anomalies and scores as they arrive from
 * Kafka). Inputs are serialised by the engine; a failure is reported and the feed goes on.
 * Returns the unsubscribe function.
 */
export function feedHealFromViews(
  views: Views,
  engine: { onAnomaly(e: unknown): Promise<unknown>; onScores(b: unknown): Promise<unknown> },
  onError: (err: unknown) => void = () => {},
): () => void {
  return views.subscribe((u) => {
    const p = u.kind === 'anomaly' ? (u.transition ? engine.onAnomaly(u.event) : null) : engine.onScores(u.batch);
    p?.catch(onError);
  });
}
