import { describe, expect, it } from 'vitest';
import { readCsv } from '../../../src/ingest/csv.js';
import { IngestError } from '../../../src/ingest/errors.js';
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

describe('readCsv', () => {
  it('turns each row into one point per value column; source = file base name, metric = column name', async () => {
    const f = files.write(
      'web-1.csv',
      'timestamp,cpu,latency_ms\n2024-01-01T00:00:00Z,40.5,120\n2024-01-01T00:01:00Z,41,\n',
    );
    const rows = await collect(readCsv(f));
    expect(rows).toHaveLength(2);
    expect(rows[0]?.line).toBe(2);
    expect(rows[0]?.points).toEqual([
      { v: 1, ts: Date.UTC(2024, 0, 1), source: 'web-1', metric: 'cpu', value: 40.5 },
      { v: 1, ts: Date.UTC(2024, 0, 1), source: 'web-1', metric: 'latency_ms', value: 120 },
    ]);
    // empty cell = missing value
    expect(rows[1]?.points[1]?.value).toBeNull();
  });

  it('finds the timestamp column by name (timestamp/ts/time) anywhere, else uses the first column', async () => {
    const named = files.write('named.csv', 'value,Time\n3,1700000000\n');
    const [row] = await collect(readCsv(named));
    expect(row?.ts).toBe(1_700_000_000_000); // epoch seconds
    expect(row?.points[0]).toMatchObject({ metric: 'value', value: 3 });

    const first = files.write('first.csv', 'when,x\n1700000000123,1\n');
    const [row2] = await collect(readCsv(first));
    expect(row2?.ts).toBe(1_700_000_000_123); // epoch ms
    expect(row2?.points[0]?.metric).toBe('x');
  });

  it('reads NAB files: zone-less timestamps are UTC', async () => {
    const f = files.write('nab.csv', 'timestamp,value\n2013-12-02 21:15:00,73.96732207\n');
    const [row] = await collect(readCsv(f));
    expect(row?.ts).toBe(Date.UTC(2013, 11, 2, 21, 15));
  });

  it('--source and --metric rename', async () => {
    const f = files.write('one.csv', 'ts,value\n0,1\n');
    const [row] = await collect(readCsv(f, { source: 'db-1', metric: 'cpu' }));
    expect(row?.points[0]).toMatchObject({ source: 'db-1', metric: 'cpu' });
  });

  it('--metric with several value columns is an error naming the columns', async () => {
    const f = files.write('two.csv', 'ts,a,b\n0,1,2\n');
    const e = await failure(collect(readCsv(f, { metric: 'cpu' })));
    expect(e.message).toContain('2 value columns (a, b)');
  });

  it('handles quotes, CRLF line ends, a BOM, blank lines and NaN as missing', async () => {
    const f = files.write(
      'q.csv',
      '\ufeff"timestamp","a,b"\r\n\r\n"2024-01-01T00:00:00Z","1.5"\r\n2024-01-01T00:01:00Z,NaN\r\n',
    );
    const rows = await collect(readCsv(f));
    expect(rows.map((r) => r.points[0]?.value)).toEqual([1.5, null]);
    expect(rows[0]?.points[0]?.metric).toBe('a,b');
    expect(rows[1]?.line).toBe(4);
  });

  it('a non-numeric value names the line and the column', async () => {
    const f = files.write('bad.csv', 'timestamp,cpu\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,abc\n');
    const e = await failure(collect(readCsv(f)));
    expect(e.message).toBe(`${f}:3: cpu: expected a number (or an empty cell for a missing value), got "abc"`);
    expect(e.line).toBe(3);
    expect(e.retriable).toBe(false);
  });

  it('a bad timestamp, a short row and a broken quote name their line', async () => {
    const ts = files.write('badts.csv', 'timestamp,cpu\nyesterday,1\n');
    expect((await failure(collect(readCsv(ts)))).message).toMatch(/:2: timestamp: expected an ISO 8601/);
    const short = files.write('short.csv', 'timestamp,cpu,mem\n0,1,2\n0,1\n');
    expect((await failure(collect(readCsv(short)))).message).toMatch(/:3: expected 3 fields as in the header, got 2/);
    const quote = files.write('quote.csv', 'timestamp,cpu\n"0,1\n');
    expect((await failure(collect(readCsv(quote)))).message).toMatch(/:2: unterminated quoted field/);
  });

  it('header problems: a single column, duplicates, an empty file, a missing file', async () => {
    expect((await failure(collect(readCsv(files.write('h1.csv', 'timestamp\n1\n'))))).message).toContain('header');
    expect((await failure(collect(readCsv(files.write('h2.csv', 'ts,a,a\n'))))).message).toContain(
      'a: duplicate column',
    );
    expect((await failure(collect(readCsv(files.write('h3.csv', ''))))).message).toContain('empty file');
    expect((await failure(collect(readCsv(`${files.dir}/none.csv`)))).message).toContain('file not found');
  });

  it('streams a large file with constant memory per row', async () => {
    const n = 50_000;
    const lines = ['timestamp,v'];
    for (let i = 0; i < n; i++) lines.push(`${1_700_000_000_000 + i * 1000},${i % 7}`);
    const f = files.write('big.csv', `${lines.join('\n')}\n`);
    let count = 0;
    let last = 0;
    for await (const row of readCsv(f)) {
      count++;
      last = row.ts;
    }
    expect(count).toBe(n);
    expect(last).toBe(1_700_000_000_000 + (n - 1) * 1000);
  });
});
