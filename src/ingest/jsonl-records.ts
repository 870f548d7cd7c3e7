import type { z } from 'zod';
import { IngestError } from './errors.js';
import { readLines } from './lines.js';

/**
 * Stream a JSON Lines file, each non-blank line validated with `schema`. A bad line throws an
 * IngestError naming the file, line and field; `what` names the record kind in messages.
 */
export async function* readJsonlRecords<S extends z.ZodType>(
  file: string,
  schema: S,
  what: string,
): AsyncGenerator<{ no: number; bytes: number; value: z.output<S> }> {
  for await (const { no, text, bytes } of readLines(file)) {
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new IngestError(file, no, undefined, `invalid JSON: ${(err as Error).message}`);
    }
    const r = schema.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : undefined;
      throw new IngestError(file, no, field, issue?.message ?? `invalid ${what}`);
    }
    yield { no, bytes, value: r.data };
  }
}
