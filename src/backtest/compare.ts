import { AnomalyEvent } from '../contracts/anomaly.js';
import { seriesId } from '../contracts/series.js';
import type { BacktestRun } from './run.js';

export interface EventDifference {
  id: string;
  /** fields whose values differ (live vs backtest) */
  fields: string[];
}

export interface Comparison {
  /** where the actual events came from (file or topic) */
  source: string;
  /** actual events read (distinct ids), and how many of them are in scope */
  actualRead: number;
  actualInScope: number;
  /** unreadable lines/messages of the actual events */
  invalid: number;
  /** in both, identical */
  matched: number;
  /** in both, with different content */
  differing: EventDifference[];
  /** the pipeline would have decided these; they did not happen */
  onlyBacktest: string[];
  /** these happened; the pipeline would not have decided them */
  onlyActual: string[];
  /** no difference at all */
  identical: boolean;
}

/** the actual events as read: distinct by id (a re-delivered event counts once) */
export class ActualEvents {
  readonly byId = new Map<string, AnomalyEvent>();
  invalid = 0;

  add(raw: string | null): void {
    if (raw === null) return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      this.invalid++;
      return;
    }
    const r = AnomalyEvent.safeParse(json);
    if (!r.success) {
      this.invalid++;
      return;
    }
    this.byId.set(r.data.id, r.data);
  }
}

/** stable JSON of a value (object keys sorted) for comparing events field by field */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The difference between what the pipeline would have decided and what actually happened, by
 * event id (deterministic: series, rule, first hit). Actual events are in scope when their series
 * is in the backtest's input and their time within the window and the input's data time span.
 */
export function compareEvents(run: BacktestRun, actual: ActualEvents, source: string): Comparison {
  const from = Math.max(run.window.start ?? Number.NEGATIVE_INFINITY, run.input.firstTs ?? Number.POSITIVE_INFINITY);
  const to = Math.min(run.window.end ?? Number.POSITIVE_INFINITY, (run.input.lastTs ?? Number.NEGATIVE_INFINITY) + 1);
  const predicted = new Map(run.events.map((e) => [e.id, e]));
  const inScope = new Map<string, AnomalyEvent>();
  for (const [id, e] of actual.byId) {
    if (e.ts < from || e.ts >= to) continue;
    if (!run.seriesIds.has(seriesId(e.source, e.metric))) continue;
    inScope.set(id, e);
  }
  let matched = 0;
  const differing: EventDifference[] = [];
  const onlyActual: string[] = [];
  for (const [id, e] of inScope) {
    const p = predicted.get(id);
    if (!p) {
      onlyActual.push(id);
      continue;
    }
    const fields = [...new Set([...Object.keys(e), ...Object.keys(p)])]
      .filter((k) => canonical((e as Record<string, unknown>)[k]) !== canonical((p as Record<string, unknown>)[k]))
      .sort(byString);
    if (fields.length === 0) matched++;
    else differing.push({ id, fields });
  }
  const onlyBacktest = [...predicted.keys()].filter((id) => !inScope.has(id));
  onlyActual.sort(byString);
  onlyBacktest.sort(byString);
  differing.sort((a, b) => byString(a.id, b.id));
  return {
    source,
    actualRead: actual.byId.size,
    actualInScope: inScope.size,
    invalid: actual.invalid,
    matched,
    differing,
    onlyBacktest,
    onlyActual,
    identical: differing.length === 0 && onlyBacktest.length === 0 && onlyActual.length === 0,
  };
}
