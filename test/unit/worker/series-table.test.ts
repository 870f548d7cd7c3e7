import { describe, expect, it } from 'vitest';
import { SeriesTable } from '../../../src/worker/series-table.js';

const make = (maxSeries: number, ttlMs = 1e15, now = () => 0) =>
  new SeriesTable<{ n: number }>({ maxSeries, ttlMs, init: () => ({ n: 0 }), now });

describe('SeriesTable', () => {
  it('evicts the least recently used series beyond maxSeries', () => {
    const t = make(3);
    for (const id of ['a', 'b', 'c']) t.acquire(id, 0);
    t.acquire('a', 0); // a is now most recent
    t.acquire('d', 0);
    expect(t.size).toBe(3);
    expect(t.peek('b')).toBeUndefined();
    expect(t.peek('a')).toBeDefined();
    expect(t.evictions).toBe(1);
  });

  it('keeps state across acquires', () => {
    const t = make(10);
    t.acquire('a', 0).state.n = 5;
    expect(t.acquire('a', 0).state.n).toBe(5);
  });

  it('expires series older than the data-time watermark minus the ttl', () => {
    const t = make(100, 1000, () => 1e12);
    t.observe(t.acquire('old', 0), 100);
    t.observe(t.acquire('new', 0), 900);
    t.sweep();
    expect(t.size).toBe(2);
    t.observe(t.acquire('new', 0), 1500);
    t.sweep();
    expect(t.peek('old')).toBeUndefined();
    expect(t.peek('new')).toBeDefined();
    expect(t.expirations).toBe(1);
  });

  it('caps the watermark near wall clock so one absurd future timestamp does not expire everything', () => {
    const now = 1_700_000_000_000;
    const t = make(100, 2 * 86_400_000, () => now);
    t.observe(t.acquire('a', 0), now - 1000);
    t.observe(t.acquire('bogus', 0), 9e15);
    t.sweep();
    expect(t.peek('a')).toBeDefined();
  });

  it('drops the series of one partition', () => {
    const t = make(10);
    t.acquire('a', 0);
    t.acquire('b', 1);
    t.acquire('c', 1);
    expect(t.dropPartition(1)).toBe(2);
    expect(t.size).toBe(1);
  });
});
