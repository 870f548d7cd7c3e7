import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { createSeriesScorer } from '../detect/index.js';
import { isSecretField, REDACTED } from '../transport/log.js';
import { ConfigError, type ConfigIssue, formatPath } from './errors.js';
import { PipelineConfig } from './pipeline.js';
import { allowedKeys } from './schema-keys.js';

export { ConfigError, type ConfigIssue } from './errors.js';

/**
 * Environment variables that override a pipeline file (documented in the README).
 * `KAFKA_BROKERS` is not applied here: `resolveBrokers()` uses it when `kafka.brokers` is empty.
 */
export const ENV_OVERRIDES = {
  FAULTLINE_API_PORT: 'api.port',
  FAULTLINE_API_HOST: 'api.host',
  FAULTLINE_PARTITIONS: 'topics.partitions',
} as const;

export interface LoadOptions {
  /** environment used for overrides; defaults to process.env, pass {} to ignore it */
  env?: Record<string, string | undefined>;
}

/**
 * Read, parse and validate a pipeline YAML file. Throws `ConfigError` naming the file, the path
 * inside it (e.g. `detectors[2].halfLife`), the line and column, and what was expected.
 */
export function loadPipeline(file: string, opts: LoadOptions = {}): PipelineConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(err);
    throw new ConfigError(file, [{ path: '', message: `cannot read pipeline: ${why}` }]);
  }
  return applyEnvOverrides(parsePipeline(text, file), opts.env ?? process.env);
}

/** Parse and validate pipeline YAML text; `file` is only used in error messages. */
export function parsePipeline(text: string, file = '<pipeline>'): PipelineConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: '', line: pos.line, col: pos.col, message: `invalid YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    throw new ConfigError(file, [
      { path: '', message: 'the file is empty; expected a pipeline (a mapping with name, detectors, alarms, ...)' },
    ]);
  }
  const result = PipelineConfig.safeParse(data);
  if (result.success) {
    checkBuildable(result.data, file, doc.contents, lineCounter);
    return result.data;
  }
  const issues = result.error.issues.flatMap((issue) => toIssues(issue, data, doc.contents, lineCounter));
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  throw new ConfigError(file, issues);
}

/**
 * Rules the schema cannot express (unique detector and alarm rule names) are checked by building
 * the scorer once; its DetectConfigError ("detectors[3]: name 'x' is used twice") becomes a ConfigError.
 */
function checkBuildable(cfg: PipelineConfig, file: string, root: unknown, lc: LineCounter): void {
  try {
    createSeriesScorer({ detectors: cfg.detectors, ensemble: cfg.ensemble, alarms: cfg.alarms });
  } catch (err) {
    if (!(err instanceof Error) || err.name !== 'DetectConfigError') throw err;
    const m = /^([A-Za-z_]\w*(?:\[\d+\]|\.\w+)*): ([\s\S]*)$/.exec(err.message);
    if (!m) throw new ConfigError(file, [{ path: '', message: err.message }]);
    const path = [...(m[1] as string).matchAll(/(\w+)|\[(\d+)\]/g)].map((x) =>
      x[2] ? Number(x[2]) : (x[1] as string),
    );
    throw new ConfigError(file, [{ path: m[1] as string, ...locate(root, path, lc, false), message: m[2] as string }]);
  }
}

/** Apply FAULTLINE_* environment overrides to a validated pipeline. */
export function applyEnvOverrides(cfg: PipelineConfig, env: Record<string, string | undefined>): PipelineConfig {
  const out: PipelineConfig = { ...cfg, api: { ...cfg.api }, topics: { ...cfg.topics } };
  const port = env.FAULTLINE_API_PORT;
  if (port !== undefined && port !== '') out.api.port = envInt('FAULTLINE_API_PORT', port, 0, 65535);
  const host = env.FAULTLINE_API_HOST;
  if (host !== undefined && host !== '') out.api.host = host;
  const partitions = env.FAULTLINE_PARTITIONS;
  if (partitions !== undefined && partitions !== '')
    out.topics.partitions = envInt('FAULTLINE_PARTITIONS', partitions, 1, 10_000);
  return out;
}

function envInt(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
    throw new ConfigError('environment', [
      { path: name, message: `expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}` },
    ]);
  }
  return n;
}

type ZIssue = z.core.$ZodIssue;

function toIssues(issue: ZIssue, data: unknown, root: unknown, lc: LineCounter): ConfigIssue[] {
  const path = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(PipelineConfig, path, data);
    return issue.keys.map((key) => {
      const hint = allowed ? suggest(key, allowed) : '';
      const list = allowed ? ` (allowed: ${allowed.join(', ')})` : '';
      return {
        path: formatPath([...path, key]),
        ...locate(root, [...path, key], lc, true),
        message: `unknown key${hint}${list}`,
      };
    });
  }
  // a secret (e.g. a password put where only its env variable's name belongs) is never echoed back
  const last = path[path.length - 1];
  const value = typeof last === 'string' && isSecretField(last) ? REDACTED : valueAt(data, path);
  return [{ path: formatPath(path), ...locate(root, path, lc, false), message: describeIssue(issue, value) }];
}

function describeIssue(issue: ZIssue, value: unknown): string {
  const got = `, got ${show(value)}`;
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}${got}`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        const want = `expected one of ${options.map((o) => JSON.stringify(o)).join(', ')}`;
        return value === undefined ? `required: ${want}` : `${want}${got}`;
      }
      return `${issue.message}${got}`;
    default:
      return `${issue.message.replace(/^(Too small|Too big|Invalid option|Invalid input): /, '')}${got}`;
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/**
 * Map a data path to a line/column in the YAML: the node at the path, or the deepest existing
 * ancestor (e.g. the mapping a required key is missing from). `keyNode` points at the key itself.
 */
function locate(root: unknown, path: readonly PropertyKey[], lc: LineCounter, keyNode: boolean) {
  let node: unknown = root;
  let found: Node | undefined = isNodeWithRange(root) ? root : undefined;
  for (const step of path) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) break;
      if (keyNode && step === path[path.length - 1]) {
        next = pair.key;
      } else {
        next = pair.value ?? pair.key;
      }
    } else if (isSeq(node) && typeof step === 'number') {
      next = node.items[step];
    }
    if (!isNodeWithRange(next)) break;
    node = next;
    found = next;
  }
  if (!found?.range) return {};
  const pos = lc.linePos(found.range[0]);
  return { line: pos.line, col: pos.col };
}

function isNodeWithRange(n: unknown): n is Node {
  return typeof n === 'object' && n !== null && 'range' in n && Array.isArray((n as Node).range);
}

function suggest(key: string, allowed: string[]): string {
  const k = key.toLowerCase().replace(/[_-]/g, '');
  const hit = allowed.find((a) => a.toLowerCase() === k) ?? allowed.find((a) => editDistance(a.toLowerCase(), k) <= 2);
  return hit ? ` (did you mean "${hit}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}
