import { existsSync } from 'node:fs';
import { extname } from 'node:path';

/** Data-time window of a backtest: [start, end), epoch ms; null = open. */
export interface Window {
  start: number | null;
  end: number | null;
}

export type HistorySource = { kind: 'file'; path: string } | { kind: 'topic'; topic: string; window: Window };

/** A bad `--from`/`--events` value: fixing the command line is the only remedy. */
export class BacktestUsageError extends Error {
  readonly retriable = false;
  // shown as a usage problem (exit 2) by the CLI
  override readonly name = 'UsageError';
}

const FILE_EXT = new Set(['.csv', '.jsonl', '.ndjson', '.json']);

/** epoch ms from an ISO 8601 date(-time) or an integer of epoch ms */
export function parseTime(raw: string, what: string): number {
  if (/^\d+$/.test(raw)) return Number(raw);
  const t = Date.parse(raw);
  if (Number.isNaN(t))
    throw new BacktestUsageError(
      `${what}: expected an ISO 8601 date-time or epoch milliseconds, got ${JSON.stringify(raw)}`,
    );
  return t;
}

/** whether `spec` names a file (an existing path or a metrics file extension) rather than a topic */
export function looksLikeFile(spec: string): boolean {
  return existsSync(spec) || FILE_EXT.has(extname(spec).toLowerCase()) || spec.includes('/');
}

/**
 * `--from`: a CSV/JSONL file, or `topic[@start..end]` with start/end in data time (ISO 8601 or
 * epoch ms; either may be empty). History before `start` still trains the detectors (they start
 * warm, as the live workers were); only decisions within [start, end) are reported; input from
 * `end` on is not read.
 */
export function parseHistorySource(spec: string): HistorySource {
  if (!spec) throw new BacktestUsageError('--from: expected a CSV/JSONL file or topic[@start..end]');
  if (looksLikeFile(spec)) return { kind: 'file', path: spec };
  const at = spec.indexOf('@');
  const topic = at < 0 ? spec : spec.slice(0, at);
  if (!/^[A-Za-z0-9._-]+$/.test(topic))
    throw new BacktestUsageError(
      `--from: ${JSON.stringify(topic)} is neither an existing file nor a valid topic name (letters, digits, . _ -)`,
    );
  if (at < 0) return { kind: 'topic', topic, window: { start: null, end: null } };
  const range = spec.slice(at + 1);
  const m = /^(.*)\.\.(.*)$/.exec(range);
  if (!m)
    throw new BacktestUsageError(
      `--from: expected topic@start..end (ISO 8601 or epoch ms, either may be empty), got ${JSON.stringify(spec)}`,
    );
  const start = m[1] ? parseTime(m[1], '--from start') : null;
  const end = m[2] ? parseTime(m[2], '--from end') : null;
  if (start !== null && end !== null && start >= end)
    throw new BacktestUsageError(
      `--from: the window is empty: start ${new Date(start).toISOString()} is not before end ${new Date(end).toISOString()}`,
    );
  return { kind: 'topic', topic, window: { start, end } };
}
