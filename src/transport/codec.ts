import type { z } from 'zod';

/** The outcome of decoding one message: a typed value, or why it was rejected. Never throws. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string; fields: string[] };

/** Encode a value as a JSON message value. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value);
}

const MAX_ERROR_CHARS = 2_000;

/** `path.to.field: message` for each issue, joined with `; ` ('(root)' for the message itself). */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): { text: string; fields: string[] } {
  const fields: string[] = [];
  const parts: string[] = [];
  for (const issue of issues) {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    fields.push(path);
    let msg = issue.message;
    if (issue.code === 'unrecognized_keys') msg = `unexpected field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    parts.push(`${path}: ${msg}`);
  }
  let text = parts.join('; ');
  if (text.length > MAX_ERROR_CHARS) text = `${text.slice(0, MAX_ERROR_CHARS)}…`;
  return { text, fields: [...new Set(fields)] };
}

/**
 * Decode a JSON message value (bytes or string) and validate it with a zod schema.
 * Bad JSON, an empty value and schema violations all come back as `{ ok: false, error, fields }`
 * with the error naming the offending field(s).
 */
export function decodeJson<S extends z.ZodType>(
  schema: S,
  bytes: Buffer | Uint8Array | string | null | undefined,
): Decoded<z.output<S>> {
  if (bytes === null || bytes === undefined || bytes.length === 0) {
    return { ok: false, error: '(root): empty message value (expected a JSON object)', fields: ['(root)'] };
  }
  const text =
    typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return { ok: false, error: `(root): invalid JSON: ${detail}`.slice(0, MAX_ERROR_CHARS), fields: ['(root)'] };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const { text: error, fields } = formatIssues(r.error.issues);
  return { ok: false, error, fields };
}
