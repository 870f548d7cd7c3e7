import { describe, expect, it } from 'vitest';
import { BacktestUsageError, parseHistorySource } from '../../../src/backtest/source.js';

describe('--from', () => {
  it('a file path (by extension, or a path) is a file', () => {
    expect(parseHistorySource('data/x.csv')).toEqual({ kind: 'file', path: 'data/x.csv' });
    expect(parseHistorySource('x.jsonl')).toEqual({ kind: 'file', path: 'x.jsonl' });
  });

  it('a topic, whole or with a data-time window (ISO 8601 or epoch ms, either end open)', () => {
    expect(parseHistorySource('faultline.metrics')).toEqual({
      kind: 'topic',
      topic: 'faultline.metrics',
      window: { start: null, end: null },
    });
    expect(parseHistorySource('faultline.metrics@2024-01-01T00:00:00Z..2024-01-08')).toEqual({
      kind: 'topic',
      topic: 'faultline.metrics',
      window: { start: Date.UTC(2024, 0, 1), end: Date.UTC(2024, 0, 8) },
    });
    expect(parseHistorySource('m@1700000000000..')).toMatchObject({ window: { start: 1_700_000_000_000, end: null } });
    expect(parseHistorySource('m@..1700000000000')).toMatchObject({ window: { start: null, end: 1_700_000_000_000 } });
  });

  it('bad specs are usage errors that say what was expected', () => {
    expect(() => parseHistorySource('m@yesterday..today')).toThrow(BacktestUsageError);
    expect(() => parseHistorySource('m@yesterday..today')).toThrow(
      /--from start: expected an ISO 8601 date-time or epoch milliseconds, got "yesterday"/,
    );
    expect(() => parseHistorySource('m@2024-01-02')).toThrow(/expected topic@start\.\.end/);
    expect(() => parseHistorySource('m@2024-01-02..2024-01-01')).toThrow(/the window is empty/);
    expect(() => parseHistorySource('bad topic!')).toThrow(/neither an existing file nor a valid topic name/);
    expect(new BacktestUsageError('x').name).toBe('UsageError'); // the CLI exits 2
  });
});
