import { MetricPoint } from '../contracts/metric.js';
import { IngestError } from './errors.js';
import { readLines } from './lines.js';
import type { PointRow } from './rows.js';

/**
 * Stream a JSON Lines file of MetricPoints (`{"ts","source","metric","value","labels"?}` per line),
 * each validated with the contract schema. Blank lines are skipped. Each yielded row holds one point.
 */
export async function* readJsonl(file: string): AsyncGenerator<PointRow> {
  for await (const { no, text, bytes } of readLines(file)) {
    if (text.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new IngestError(file, no, undefined, `invalid JSON: ${(err as Error).message}`);
    }
    const r = MetricPoint.safeParse(json);
    if (!r.success) {
      const issue = r.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : undefined;
      throw new IngestError(file, no, field, issue?.message ?? 'invalid MetricPoint');
    }
    yield { line: no, ts: r.data.ts, points: [r.data], bytes };
  }
}
