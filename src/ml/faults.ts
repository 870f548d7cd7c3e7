import { FaultSample } from '../contracts/samples.js';
import { readJsonlRecords } from '../ingest/jsonl-records.js';

/**
 * Read a fault file: JSON Lines, one `{source, start, end, type, severity}` per line (see
 * src/ml/README.md). Blank lines are skipped; a bad line is an IngestError naming the line and field.
 */
export async function readFaults(file: string): Promise<FaultSample[]> {
  const out: FaultSample[] = [];
  for await (const { value } of readJsonlRecords(file, FaultSample, 'fault sample')) out.push(value);
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
