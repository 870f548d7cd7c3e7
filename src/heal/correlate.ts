import type { Signal } from './classify.js';
import type { DependencyGraph } from './graph.js';
import { faultId } from './ids.js';

/** Anomalies on one or more sources that share a probable cause. */
export interface Incident {
  id: string;
  /** the probable cause: the deepest failing dependency among the incident's sources */
  root: string;
  /** alarming sources explained by the root, in arrival order (root excluded) */
  symptoms: string[];
  /** every signal, in arrival order (bounded) */
  signals: Signal[];
  openedAt: number;
  lastAt: number;
  /** ids of incidents merged into this one when their common cause showed up */
  mergedFrom: string[];
  /** how the incident was formed, for the audit */
  reasons: string[];
}

export interface Correlation {
  incident: Incident;
  /** how the signal was placed */
  how: 'opened' | 'root' | 'symptom' | 'rerooted';
  /** incidents absorbed into `incident` (now closed) */
  merged: Incident[];
}

const MAX_SIGNALS = 200;

/**
 * Groups signals into incidents with the dependency graph and timing (correlate before acting).
 * A signal joins an open incident active within `windowMs` when its source is that incident's root
 * (more evidence) or depends on the root (a symptom). When the signal's source is a dependency of the
 * roots of open incidents, it is their common cause: a new incident rooted there absorbs them. So a
 * failing database behind five alarming services is one incident at the database, whatever order
 * the alarms arrive in.
 */
export class Correlator {
  private readonly open = new Map<string, Incident>();

  constructor(
    private readonly graph: DependencyGraph,
    private readonly windowMs: number,
  ) {}

  add(signal: Signal): Correlation {
    const s = signal.event.source;
    const t = signal.event.ts;
    const live = [...this.open.values()].filter(
      (i) => t - i.lastAt <= this.windowMs && i.openedAt - t <= this.windowMs,
    );

    const same = live.find((i) => i.root === s);
    if (same) {
      this.push(same, signal);
      return { incident: same, how: 'root', merged: [] };
    }

    const upstream = live
      .filter((i) => this.graph.dependsOn(s, i.root))
      .sort((a, b) => this.graph.depth(a.root) - this.graph.depth(b.root) || a.openedAt - b.openedAt);
    const cause = upstream[0];
    if (cause) {
      if (!cause.symptoms.includes(s)) {
        cause.symptoms.push(s);
        cause.reasons.push(`${s} depends on ${cause.root}: symptom`);
      }
      this.push(cause, signal);
      return { incident: cause, how: 'symptom', merged: [] };
    }

    const downstream = live.filter((i) => this.graph.dependsOn(i.root, s));
    const openedAt = Math.min(t, ...downstream.map((i) => i.openedAt));
    const incident: Incident = {
      id: faultId(s, openedAt),
      root: s,
      symptoms: [],
      signals: [],
      openedAt,
      lastAt: t,
      mergedFrom: [],
      reasons: [],
    };
    for (const d of downstream.sort((a, b) => a.openedAt - b.openedAt)) {
      for (const src of [d.root, ...d.symptoms]) if (!incident.symptoms.includes(src)) incident.symptoms.push(src);
      incident.signals.push(...d.signals);
      incident.mergedFrom.push(d.id);
      incident.reasons.push(`${d.root} depends on ${s}: incident ${d.id} merged, ${s} is the probable root`);
      this.open.delete(d.id);
    }
    if (downstream.length === 0) incident.reasons.push(`${s}: no failing dependency within the window: root`);
    this.open.set(incident.id, incident);
    this.push(incident, signal);
    return { incident, how: downstream.length > 0 ? 'rerooted' : 'opened', merged: downstream };
  }

  private push(i: Incident, signal: Signal): void {
    i.signals.push(signal);
    if (i.signals.length > MAX_SIGNALS) i.signals.splice(0, i.signals.length - MAX_SIGNALS);
    i.lastAt = Math.max(i.lastAt, signal.event.ts);
  }

  get(id: string): Incident | undefined {
    return this.open.get(id);
  }

  /** Open incidents, oldest first. */
  incidents(): Incident[] {
    return [...this.open.values()].sort((a, b) => a.openedAt - b.openedAt);
  }

  /** Stops grouping new signals into an incident (it recovered or was handed to a human). */
  close(id: string): void {
    this.open.delete(id);
  }
}
