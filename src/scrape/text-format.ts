import type { Label } from '../prometheus/write-request.js';

/**
 * A parser for the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format), written here:
 * the registry's `parse-prometheus-text-format` drops sample timestamps, returns values as
 * strings and nests histograms, and is a one-person package without types.
 *
 *   # HELP http_requests_total The total number of HTTP requests.
 *   # TYPE http_requests_total counter
 *   http_requests_total{method="post",code="200"} 1027 1395066363000
 *
 * One sample per line: a metric name, optional labels in braces (values escape `\\`, `\"`, `\n`;
 * a trailing comma is allowed), a value (a float, `NaN`, `+Inf`, `-Inf`) and an optional timestamp
 * in epoch ms. Histogram and summary lines (`_bucket`, `_sum`, `_count`, quantiles) are plain
 * samples. A bad line is reported with its number and skipped; the rest of the body still counts.
 */

export interface ParsedSample {
  name: string;
  labels: Label[];
  value: number;
  /** epoch ms, when the exporter gave one */
  timestamp?: number;
}

export interface ParseIssue {
  /** 1-based line number */
  line: number;
  message: string;
}

export interface ParsedExposition {
  samples: ParsedSample[];
  /** `# TYPE` of each family that declared one (counter, gauge, histogram, summary, untyped) */
  types: Map<string, string>;
  issues: ParseIssue[];
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;

class LineError extends Error {}

/** A float as the format (Go's ParseFloat) writes it: decimals, exponents, NaN, ±Inf. */
export function parseFloatToken(s: string): number | undefined {
  if (/^[+-]?inf(inity)?$/i.test(s)) return s.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

function parseSampleLine(line: string): ParsedSample {
  let i = 0;
  const n = line.length;
  const skipSpace = () => {
    while (i < n && (line[i] === ' ' || line[i] === '\t')) i++;
  };
  skipSpace();
  const nameStart = i;
  if (i >= n || !NAME_START.test(line[i] as string)) throw new LineError('expected a metric name');
  while (i < n && NAME_CHAR.test(line[i] as string)) i++;
  const name = line.slice(nameStart, i);
  const labels: Label[] = [];
  skipSpace();
  if (line[i] === '{') {
    i++;
    for (;;) {
      skipSpace();
      if (line[i] === '}') {
        i++;
        break;
      }
      const ls = i;
      if (i >= n || !LABEL_START.test(line[i] as string))
        throw new LineError(`expected a label name at column ${i + 1}`);
      while (i < n && LABEL_CHAR.test(line[i] as string)) i++;
      const labelName = line.slice(ls, i);
      skipSpace();
      if (line[i] !== '=') throw new LineError(`expected "=" after label ${labelName}`);
      i++;
      skipSpace();
      if (line[i] !== '"') throw new LineError(`expected a quoted value for label ${labelName}`);
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const c = line[i] as string;
        if (c === '\\') {
          const e = line[i + 1];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new LineError(`bad escape "\\${e ?? ''}" in the value of label ${labelName}`);
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (!closed) throw new LineError(`unterminated value of label ${labelName}`);
      labels.push({ name: labelName, value });
      skipSpace();
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      throw new LineError(`expected "," or "}" after label ${labelName}`);
    }
  }
  const rest = line
    .slice(i)
    .trim()
    .split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '') throw new LineError(`no value for ${name}`);
  if (rest.length > 2)
    throw new LineError(`unexpected text after the timestamp: ${JSON.stringify(rest.slice(2).join(' '))}`);
  const value = parseFloatToken(rest[0] as string);
  if (value === undefined) throw new LineError(`bad value ${JSON.stringify(rest[0])} for ${name}`);
  const sample: ParsedSample = { name, labels, value };
  if (rest.length === 2) {
    const ts = rest[1] as string;
    if (!/^-?\d+$/.test(ts) || !Number.isSafeInteger(Number(ts))) {
      throw new LineError(`bad timestamp ${JSON.stringify(ts)} for ${name} (expected integer epoch ms)`);
    }
    sample.timestamp = Number(ts);
  }
  return sample;
}

/** Parses a whole exposition; never throws. */
export function parseTextFormat(text: string): ParsedExposition {
  const samples: ParsedSample[] = [];
  const types = new Map<string, string>();
  const issues: ParseIssue[] = [];
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    let line = lines[k] as string;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const trimmed = line.trimStart();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      const m = /^#[ \t]+TYPE[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)[ \t]+(\w+)/.exec(trimmed);
      if (m) types.set(m[1] as string, (m[2] as string).toLowerCase());
      continue;
    }
    try {
      samples.push(parseSampleLine(line));
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      issues.push({ line: k + 1, message: err.message });
    }
  }
  return { samples, types, issues };
}
