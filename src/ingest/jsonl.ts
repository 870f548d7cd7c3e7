import { MetricPoint } from '../contracts/metric.js';
import { readJsonlRecords } from './jsonl-records.js';
import type { PointRow } from './rows.js';

/**
 * Stream a JSON Lines file of MetricPoints (`{"ts","source","metric","value","labels"?}` per line),
 * each validated with the contract schema. Blank lines are skipped. Each yielded row holds one point.
 */
export async function* readJsonl(file: string): AsyncGenerator<PointRow> {
  for await (const { no, bytes, value } of readJsonlRecords(file, MetricPoint, 'MetricPoint')) {
    yield { line: no, ts: value.ts, points: [value], bytes };
  }
}
