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
  /** its root's first signal is the root's own fault (rule `symptom: false`): never absorbed as a symptom */
  ownFault?: boolean;
}

export interface Correlation {
  incident: Incident;
  /** how the signal was placed (aftermath: a symptom of an incident closed moments ago; nothing to do) */
  how: 'opened' | 'root' | 'symptom' | 'rerooted' | 'aftermath';
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

  /**
   * `peersOf` (optional): the other members of a source's group; a signal that may be a symptom (its
   * rule allows it) on a peer of an open incident's root is a symptom of it (load moved from the failing
   * member).
   */
  constructor(
    private readonly graph: DependencyGraph,
    private readonly windowMs: number,
    private readonly peersOf?: (source: string) => readonly string[],
    /** symptoms arriving this long after an incident closed are its aftermath (0: none) */
    private readonly aftermathMs = 0,
  ) {}

  /** incidents closed less than `aftermathMs` ago: they still explain symptoms, never new root signals */
  private readonly recent = new Map<string, { incident: Incident; closedAt: number }>();

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

    const mayBeSymptom = signal.symptom !== false;
    if (mayBeSymptom) {
      const open = this.explainedBy(s, live);
      if (open) return this.symptom(open.incident, signal, open.why, 'symptom');
      for (const [id, r] of this.recent) if (t - r.closedAt > this.aftermathMs) this.recent.delete(id);
      const recent = [...this.recent.values()].filter((r) => r.closedAt <= t).map((r) => r.incident);
      const closed = this.explainedBy(s, recent);
      if (closed) return this.symptom(closed.incident, signal, closed.why, 'aftermath');
    }

    const downstream = live.filter((i) => !i.ownFault && this.graph.dependsOn(i.root, s));
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
      ownFault: signal.symptom === false,
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

  /**
   * The incident that explains an alarm on `s` as a symptom: the deepest root `s` depends on, else (with
   * peersOf) the oldest incident rooted at a peer of `s` (its load moved to `s`).
   */
  private explainedBy(s: string, candidates: Incident[]): { incident: Incident; why: string } | undefined {
    const upstream = candidates
      .filter((i) => this.graph.dependsOn(s, i.root))
      .sort((a, b) => this.graph.depth(a.root) - this.graph.depth(b.root) || a.openedAt - b.openedAt)[0];
    if (upstream) return { incident: upstream, why: `${s} depends on ${upstream.root}: symptom` };
    const peers = this.peersOf;
    if (!peers) return undefined;
    const from = candidates.filter((i) => peers(i.root).includes(s)).sort((a, b) => a.openedAt - b.openedAt)[0];
    return from
      ? { incident: from, why: `${s} shares a group with ${from.root}: load moved to it, symptom` }
      : undefined;
  }

  private symptom(i: Incident, signal: Signal, why: string, how: 'symptom' | 'aftermath'): Correlation {
    const s = signal.event.source;
    if (!i.symptoms.includes(s)) {
      i.symptoms.push(s);
      i.reasons.push(how === 'aftermath' ? `${why} (after the incident closed)` : why);
    }
    this.push(i, signal);
    return { incident: i, how, merged: [] };
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

  /**
   * Stops grouping new signals into an incident (it recovered or was handed to a human). Given the data
   * time of closing, the incident still explains symptoms for the aftermath period.
   */
  close(id: string, at?: number): void {
    const i = this.open.get(id);
    this.open.delete(id);
    if (i && at !== undefined && this.aftermathMs > 0) this.recent.set(id, { incident: i, closedAt: at });
  }
}
