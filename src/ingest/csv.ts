import { basename, extname } from 'node:path';
import { MetricPoint } from '../contracts/metric.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { splitCsvLine } from './csv-line.js';
import { IngestError } from './errors.js';
import { readLines } from './lines.js';
import type { PointRow, ReadOptions } from './rows.js';
import { parseTimestamp } from './timestamp.js';

const TS_NAMES = ['timestamp', 'ts', 'time'];
const MISSING = /^(|nan|null|na)$/i;

/** The base name of a file without its extension: `data/web-1.csv` → `web-1`. */
export function defaultSource(file: string): string {
  return basename(file, extname(file)) || 'file';
}

interface Header {
  tsCol: number;
  valueCols: { index: number; metric: string; column: string }[];
  width: number;
}

function parseHeader(file: string, text: string, opts: ReadOptions): Header {
  const cols = splitCsvLine(text);
  if (typeof cols === 'string') throw new IngestError(file, 1, 'header', cols);
  const names = cols.map((c) => c.trim());
  if (names.length < 2) {
    throw new IngestError(
      file,
      1,
      'header',
      'expected a timestamp column and at least one value column, e.g. "timestamp,cpu"',
    );
  }
  const found = names.findIndex((n) => TS_NAMES.includes(n.toLowerCase()));
  const tsCol = Math.max(found, 0);
  const seen = new Set<string>();
  const valueCols: Header['valueCols'] = [];
  names.forEach((column, index) => {
    if (index === tsCol) return;
    if (column === '') throw new IngestError(file, 1, `column ${index + 1}`, 'empty column name');
    if (seen.has(column)) throw new IngestError(file, 1, column, 'duplicate column name');
    seen.add(column);
    valueCols.push({ index, metric: column, column });
  });
  if (opts.metric !== undefined) {
    if (valueCols.length !== 1) {
      throw new IngestError(
        file,
        1,
        'header',
        `--metric names a single metric but the file has ${valueCols.length} value columns (${valueCols.map((c) => c.column).join(', ')}); their names are used as metric names`,
      );
    }
    (valueCols[0] as { metric: string }).metric = opts.metric;
  }
  const source = opts.source ?? defaultSource(file);
  for (const c of valueCols) {
    const r = MetricPoint.safeParse({ ts: 0, source, metric: c.metric, value: null });
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new IngestError(
        file,
        1,
        String(issue?.path.join('.')),
        `${JSON.stringify(issue?.path[0] === 'source' ? source : c.metric)}: ${issue?.message}`,
      );
    }
  }
  return { tsCol, valueCols, width: names.length };
}

/**
 * Stream a CSV file of metrics: a header row with a timestamp column (named timestamp/ts/time,
 * else the first column) and one or more numeric value columns, each a metric. An empty cell
 * (or NaN/null/NA) is a missing value (`value: null`). Blank lines are skipped.
 */
export async function* readCsv(file: string, opts: ReadOptions = {}): AsyncGenerator<PointRow> {
  const source = opts.source ?? defaultSource(file);
  let header: Header | undefined;
  for await (const { no, text, bytes } of readLines(file)) {
    if (text.trim() === '') continue;
    if (!header) {
      header = parseHeader(file, text, opts);
      continue;
    }
    const cells = splitCsvLine(text);
    if (typeof cells === 'string') throw new IngestError(file, no, undefined, cells);
    if (cells.length !== header.width) {
      throw new IngestError(
        file,
        no,
        undefined,
        `expected ${header.width} fields as in the header, got ${cells.length}`,
      );
    }
    const tsText = cells[header.tsCol] as string;
    const ts = parseTimestamp(tsText);
    if (ts === undefined) {
      throw new IngestError(
        file,
        no,
        'timestamp',
        `expected an ISO 8601 date-time or epoch seconds/milliseconds, got ${JSON.stringify(tsText)}`,
      );
    }
    const points: MetricPoint[] = [];
    for (const c of header.valueCols) {
      const cell = (cells[c.index] as string).trim();
      let value: number | null = null;
      if (!MISSING.test(cell)) {
        value = Number(cell);
        if (!Number.isFinite(value)) {
          throw new IngestError(
            file,
            no,
            c.column,
            `expected a number (or an empty cell for a missing value), got ${JSON.stringify(cell)}`,
          );
        }
      }
      points.push({ v: SCHEMA_VERSION, ts, source, metric: c.metric, value });
    }
    yield { line: no, ts, points, bytes };
  }
  if (!header)
    throw new IngestError(file, undefined, undefined, 'empty file: expected a header row such as "timestamp,value"');
}
