import { describe, expect, it } from 'vitest';
import { IngestError } from '../../../src/ingest/errors.js';
import { readJsonl } from '../../../src/ingest/jsonl.js';
import { fileFormat, readPointFile } from '../../../src/ingest/read.js';
import { collect, tempFiles } from './tmp.js';

const files = tempFiles();

async function failure(p: Promise<unknown>): Promise<IngestError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IngestError);
  return err as IngestError;
}

describe('readJsonl', () => {
  it('validates each line as a MetricPoint (ISO or epoch ts, null = missing, labels kept)', async () => {
    const f = files.write(
      'p.jsonl',
      [
        '{"ts":"2024-01-01T00:00:00Z","source":"web-1","metric":"cpu","value":40}',
        '',
        '{"ts":1704067260000,"source":"web-1","metric":"cpu","value":null,"labels":{"dc":"eu"}}',
      ].join('\n'),
    );
    const rows = await collect(readJsonl(f));
    expect(rows.map((r) => r.line)).toEqual([1, 3]);
    expect(rows[0]?.points[0]).toEqual({ v: 1, ts: Date.UTC(2024, 0, 1), source: 'web-1', metric: 'cpu', value: 40 });
    expect(rows[1]?.points[0]).toMatchObject({ value: null, labels: { dc: 'eu' } });
  });

  it('an invalid field names the line and the field', async () => {
    const f = files.write(
      'bad.jsonl',
      '{"ts":0,"source":"a","metric":"m","value":1}\n{"ts":0,"source":"a","metric":"m","value":"high"}\n',
    );
    const e = await failure(collect(readJsonl(f)));
    expect(e.line).toBe(2);
    expect(e.field).toBe('value');
    expect(e.message).toMatch(/bad\.jsonl:2: value: .*expected number/);
  });

  it('bad JSON and unknown keys name the line', async () => {
    const f = files.write('json.jsonl', '{"ts":0,\n');
    expect((await failure(collect(readJsonl(f)))).message).toMatch(/json\.jsonl:1: invalid JSON/);
    const g = files.write('extra.jsonl', '{"ts":0,"source":"a","metric":"m","value":1,"host":"x"}\n');
    expect((await failure(collect(readJsonl(g)))).message).toMatch(/extra\.jsonl:1: .*host/);
  });
});

describe('readPointFile', () => {
  it('picks the reader by extension and refuses others', async () => {
    expect(fileFormat('a.CSV')).toBe('csv');
    expect(fileFormat('a.ndjson')).toBe('jsonl');
    expect(() => fileFormat('a.txt')).toThrow(/expected \.csv or \.jsonl/);
  });

  it('--source/--metric apply to CSV only', () => {
    expect(() => readPointFile('x.jsonl', { source: 's' })).toThrow(IngestError);
  });
});
