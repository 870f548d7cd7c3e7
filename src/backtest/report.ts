import type { Comparison } from './compare.js';
import type { BacktestRun } from './run.js';

export interface BacktestReport {
  pipeline: string;
  from: string;
  window: { start: string | null; end: string | null };
  input: BacktestRun['input'] & { firstTime: string | null; lastTime: string | null };
  flagged: {
    events: number;
    firing: number;
    resolved: number;
    series: number;
    byRule: Record<string, number>;
    bySeverity: Record<string, number>;
  };
  series: BacktestRun['series'];
  events: BacktestRun['events'];
  comparison: Comparison | null;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function countBy(keys: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...keys].sort()) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** The report: plain data in a fixed order (two runs over the same input serialise byte for byte the same). */
export function buildReport(run: BacktestRun, from: string, comparison: Comparison | null): BacktestReport {
  const firing = run.events.filter((e) => e.state === 'firing');
  return {
    pipeline: run.pipeline,
    from,
    window: { start: iso(run.window.start), end: iso(run.window.end) },
    input: { ...run.input, firstTime: iso(run.input.firstTs), lastTime: iso(run.input.lastTs) },
    flagged: {
      events: run.events.length,
      firing: firing.length,
      resolved: run.events.length - firing.length,
      series: run.series.filter((s) => s.firing > 0).length,
      byRule: countBy(firing.map((e) => e.rule)),
      bySeverity: countBy(firing.map((e) => e.severity)),
    },
    series: run.series,
    events: run.events,
    comparison,
  };
}

export function reportJson(r: BacktestReport): string {
  return JSON.stringify(r, null, 2);
}

const LIST = 20;

function list(ids: string[]): string[] {
  const out = ids.slice(0, LIST).map((id) => `    ${id}`);
  if (ids.length > LIST) out.push(`    ... and ${ids.length - LIST} more (--json lists all)`);
  return out;
}

/** A human-readable summary. */
export function reportText(r: BacktestReport): string {
  const out: string[] = [];
  const n = (x: number) => x.toLocaleString('en-US');
  out.push(`backtest of pipeline "${r.pipeline}" over ${r.from}`);
  out.push(
    `  input: ${n(r.input.points)} points of ${n(r.input.series)} series, ${r.input.firstTime ?? '-'} .. ${r.input.lastTime ?? '-'}` +
      (r.input.invalidMessages > 0
        ? `, ${n(r.input.invalidMessages)} invalid messages (a live worker dead-letters them)`
        : ''),
  );
  if (r.window.start !== null || r.window.end !== null) {
    out.push(
      `  window: ${r.window.start ?? 'start'} .. ${r.window.end ?? 'end'}` +
        (r.input.warmupPoints > 0 ? ` (${n(r.input.warmupPoints)} earlier points trained the detectors)` : ''),
    );
  }
  const rules = Object.entries(r.flagged.byRule)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  out.push(
    `  would have flagged: ${n(r.flagged.firing)} anomalies on ${n(r.flagged.series)} series` +
      (rules ? ` (${rules})` : '') +
      `, ${n(r.flagged.resolved)} resolved`,
  );
  if (r.series.length > 0) {
    out.push('  series                                   firing  resolved   points');
    for (const s of r.series.slice(0, LIST)) {
      out.push(
        `    ${s.series.padEnd(36).slice(0, 36)}  ${String(s.firing).padStart(6)}  ${String(s.resolved).padStart(8)}  ${String(s.points).padStart(7)}`,
      );
    }
    if (r.series.length > LIST) out.push(`    ... and ${r.series.length - LIST} more series`);
  }
  const firing = r.events.filter((e) => e.state === 'firing');
  if (firing.length > 0) {
    out.push('  first anomalies:');
    for (const e of firing.slice(0, 10))
      out.push(`    ${new Date(e.ts).toISOString()}  ${e.severity.padEnd(8)} ${e.reason}`);
  }
  const c = r.comparison;
  if (c) {
    out.push(
      `  compared with the actual events of ${c.source}: ${n(c.actualInScope)} in scope (of ${n(c.actualRead)} read)`,
    );
    if (c.invalid > 0) out.push(`    ${n(c.invalid)} unreadable event records ignored`);
    out.push(`    same: ${n(c.matched)}`);
    if (c.identical) out.push('    no difference: the pipeline reproduces what happened');
    if (c.onlyBacktest.length > 0) {
      out.push(`    would be NEW (${n(c.onlyBacktest.length)}):`);
      out.push(...list(c.onlyBacktest));
    }
    if (c.onlyActual.length > 0) {
      out.push(`    would be GONE (${n(c.onlyActual.length)}):`);
      out.push(...list(c.onlyActual));
    }
    if (c.differing.length > 0) {
      out.push(`    would DIFFER (${n(c.differing.length)}):`);
      out.push(...list(c.differing.map((d) => `${d.id}: ${d.fields.join(', ')}`)));
    }
  }
  return out.join('\n');
}
