import type { SeriesScores } from '../contracts/score.js';
import { seriesId } from '../contracts/series.js';
import type { HealConfig } from './config.js';

/** An executed action whose effect is being verified on the metrics of its target. */
export interface WatchRequest {
  /** the action id (the plan's primary action) */
  key: string;
  series: Array<{ source: string; metric: string }>;
  /** data time of the action; points before it do not count */
  actedAt: number;
  /** data time of the fault's onset (for MTTR) */
  onsetAt: number;
}

export interface Verdict {
  key: string;
  success: boolean;
  /** data time when every watched series was back to normal (success) or when the window ran out */
  at: number;
  timeToRecoverMs: number | null;
  details: Record<string, unknown>;
}

interface SeriesState {
  normalSince: number | undefined;
  lastTs: number | undefined;
  resolvedAt: number | undefined;
}

interface Watch extends WatchRequest {
  deadline: number;
  state: Map<string, SeriesState>;
}

/**
 * Verifies recovery (Keptn's remediation loop): after an action, each watched series must be normal
 * (score below `normalScore`) for `healthyFor` of data time, or its alarm resolved, before `window`
 * runs out. Fed with score batches and resolved anomalies; answers with verdicts.
 */
export class RecoveryVerifier {
  private readonly watches = new Map<string, Watch>();

  constructor(private readonly cfg: HealConfig['verify']) {}

  watch(req: WatchRequest): void {
    const state = new Map<string, SeriesState>();
    for (const s of req.series) {
      state.set(seriesId(s.source, s.metric), { normalSince: undefined, lastTs: undefined, resolvedAt: undefined });
    }
    this.watches.set(req.key, { ...req, deadline: req.actedAt + this.cfg.window, state });
  }

  cancel(key: string): void {
    this.watches.delete(key);
  }

  watching(): string[] {
    return [...this.watches.keys()];
  }

  /** One scored point of a series. */
  observe(source: string, metric: string, ts: number, score: number): Verdict[] {
    const id = seriesId(source, metric);
    const out: Verdict[] = [];
    for (const w of this.watches.values()) {
      const st = w.state.get(id);
      if (!st || ts < w.actedAt || ts > w.deadline) continue;
      if (score < this.cfg.normalScore) st.normalSince ??= ts;
      else st.normalSince = undefined;
      st.lastTs = Math.max(st.lastTs ?? ts, ts);
      const v = this.check(w);
      if (v) out.push(v);
    }
    return out;
  }

  observeScores(batch: SeriesScores): Verdict[] {
    const out: Verdict[] = [];
    for (const p of batch.points) out.push(...this.observe(batch.source, batch.metric, p.ts, p.score));
    return out;
  }

  /** The alarm of a series resolved at `ts`: that series counts as recovered then. */
  observeResolved(source: string, metric: string, ts: number): Verdict[] {
    const id = seriesId(source, metric);
    const out: Verdict[] = [];
    for (const w of this.watches.values()) {
      const st = w.state.get(id);
      if (!st || ts < w.actedAt) continue;
      st.resolvedAt = ts;
      const v = this.check(w);
      if (v) out.push(v);
    }
    return out;
  }

  /** Failure verdicts for watches whose window ended before `now`. */
  expire(now: number): Verdict[] {
    const out: Verdict[] = [];
    for (const w of [...this.watches.values()]) {
      if (now <= w.deadline) continue;
      this.watches.delete(w.key);
      const pending = [...w.state].filter(([, s]) => this.recoveredAt(s) === undefined).map(([k]) => k);
      out.push({
        key: w.key,
        success: false,
        at: w.deadline,
        timeToRecoverMs: null,
        details: { reason: `not back to normal within ${this.cfg.window / 1000}s`, notRecovered: pending },
      });
    }
    return out;
  }

  private recoveredAt(s: SeriesState): number | undefined {
    if (s.resolvedAt !== undefined) return s.resolvedAt;
    if (s.normalSince !== undefined && s.lastTs !== undefined && s.lastTs - s.normalSince >= this.cfg.healthyFor) {
      return s.normalSince;
    }
    return undefined;
  }

  private check(w: Watch): Verdict | undefined {
    let at = w.actedAt;
    for (const s of w.state.values()) {
      const r = this.recoveredAt(s);
      if (r === undefined) return undefined;
      at = Math.max(at, r);
    }
    this.watches.delete(w.key);
    return {
      key: w.key,
      success: true,
      at,
      timeToRecoverMs: at - w.actedAt,
      details: {
        series: [...w.state.keys()],
        sinceOnsetMs: at - w.onsetAt,
        healthyForMs: this.cfg.healthyFor,
      },
    };
  }
}
