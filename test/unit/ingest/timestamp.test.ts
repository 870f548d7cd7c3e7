import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../../../src/ingest/csv-line.js';
import { parseTimestamp } from '../../../src/ingest/timestamp.js';

describe('parseTimestamp', () => {
  it('reads ISO 8601, zone-less date-times as UTC, epoch seconds and epoch ms', () => {
    expect(parseTimestamp('2024-01-01T00:00:00Z')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTimestamp('2024-01-01T01:00:00+01:00')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTimestamp('2024-01-01 00:00')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTimestamp('2024-01-01 00:00:00.250')).toBe(Date.UTC(2024, 0, 1) + 250);
    expect(parseTimestamp('1704067200')).toBe(Date.UTC(2024, 0, 1));
    expect(parseTimestamp('1704067200000')).toBe(Date.UTC(2024, 0, 1));
    for (const bad of ['', 'soon', '-5', '2024-13-45']) expect(parseTimestamp(bad)).toBeUndefined();
  });
});

describe('splitCsvLine', () => {
  it('round-trips any fields written with RFC 4180 quoting', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string().filter((s) => !/[\r\n]/.test(s)),
          { minLength: 1, maxLength: 6 },
        ),
        (fields) => {
          const line = fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(',');
          expect(splitCsvLine(line)).toEqual(fields);
        },
      ),
    );
  });

  it('splits plain fields and keeps empty ones', () => {
    expect(splitCsvLine('a,,b,')).toEqual(['a', '', 'b', '']);
  });
});
