import type { z } from 'zod';
import { InputError, type InputIssue } from './errors.js';

/** At most this many issues are returned; a 10,000-point batch of garbage must not produce a 10,000-line error. */
export const MAX_ISSUES = 20;

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** `['points', 3, 'value']` → `points[3].value`; odd keys are quoted: `labels["a.b"]`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

function typeOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  if (typeof x === 'number' && Number.isNaN(x)) return 'NaN';
  return typeof x;
}

/** Per-parse messages: say what was expected and what arrived, and call a missing field "required". */
const errorMap = (iss: z.core.$ZodRawIssue): string | undefined => {
  if (iss.code === 'invalid_type') {
    return iss.input === undefined
      ? `required (expected ${iss.expected})`
      : `expected ${iss.expected}, received ${typeOf(iss.input)}`;
  }
  if (iss.code === 'invalid_union') {
    const expected = new Set<string>();
    for (const branch of iss.errors) {
      for (const sub of branch) if (sub.code === 'invalid_type' && sub.path.length === 0) expected.add(sub.expected);
    }
    if (expected.size > 0) {
      const what = iss.input === undefined ? 'required' : `received ${typeOf(iss.input)}`;
      return `expected ${[...expected].join(' or ')}, ${what}`;
    }
  }
  return undefined;
};

/** Turns zod issues into `{ path, message, code }`, one per bad field (an unknown key is its own issue). */
export function toInputIssues(error: z.ZodError, prefix = '', noun = 'field'): InputIssue[] {
  const out: InputIssue[] = [];
  for (const iss of error.issues) {
    if (out.length >= MAX_ISSUES) break;
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) {
        out.push({ path: formatPath([...iss.path, key], prefix), message: `unrecognized ${noun}`, code: iss.code });
      }
      continue;
    }
    const message = iss.message.replace(/^Invalid input: /, '');
    out.push({ path: formatPath(iss.path, prefix), message, code: iss.code });
  }
  return out.slice(0, MAX_ISSUES);
}

/**
 * Parses with zod and throws an `InputError` (400) whose message names each bad field and where.
 * `prefix` is prepended to every path (e.g. `points` for a bare array body).
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  data: unknown,
  opts: { code: string; prefix?: string; noun?: string },
): z.output<S> {
  const r = schema.safeParse(data, { error: errorMap });
  if (r.success) return r.data;
  throw new InputError(opts.code, toInputIssues(r.error, opts.prefix, opts.noun));
}
