import { FaultSample } from '../contracts/samples.js';
import { IngestError } from '../ingest/errors.js';
import { readLines } from '../ingest/lines.js';

/**
 * Read a fault file: JSON Lines, one `{source, start, end, type, severity}` per line (see
 * src/ml/README.md). Blank lines are skipped; a bad line is an IngestError naming the line and field.
 */
export async function readFaults(file: string): Promise<FaultSample[]> {
  const out: FaultSample[] = [];
  for await (const { no, text } of readLines(file)) {
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new IngestError(file, no, undefined, `invalid JSON: ${(err as Error).message}`);
    }
    const r = FaultSample.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : undefined;
      throw new IngestError(file, no, field, issue?.message ?? 'invalid fault sample');
    }
    out.push(r.data);
  }
  return out;
}

/** Faults grouped by source, each list sorted by start. */
export function faultsBySource(faults: readonly FaultSample[]): Map<string, FaultSample[]> {
  const m = new Map<string, FaultSample[]>();
  for (const f of faults) {
    const list = m.get(f.source);
    if (list) list.push(f);
    else m.set(f.source, [f]);
  }
  for (const list of m.values()) list.sort((a, b) => a.start - b.start);
  return m;
}
