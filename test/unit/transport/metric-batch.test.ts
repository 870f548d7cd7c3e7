import { describe, expect, it } from 'vitest';
import { seriesId } from '../../../src/contracts/series.js';
import { decodeMetricMessage } from '../../../src/transport/metric-codec.js';
import { pointMessages } from '../../../src/transport/producer.js';

const pt = (i: number, source = 'web-1', metric = 'cpu') => ({
  ts: 1_700_000_000_000 + i * 1000,
  source,
  metric,
  value: i,
});

describe('metrics messages carrying a batch of one series', () => {
  it('decodes a single point and an array of points alike', () => {
    const one = decodeMetricMessage(JSON.stringify(pt(1)));
    expect(one).toEqual({ ok: true, value: [{ v: 1, ...pt(1) }] });
    const many = decodeMetricMessage(JSON.stringify([pt(1), pt(2), { ...pt(3), ts: '2024-01-01T00:00:00Z' }]));
    expect(many.ok).toBe(true);
    if (many.ok) expect(many.value.map((p) => p.ts)).toEqual([pt(1).ts, pt(2).ts, Date.parse('2024-01-01T00:00:00Z')]);
  });

  it('rejects a batch with a bad point, naming its index and field', () => {
    const d = decodeMetricMessage(JSON.stringify([pt(1), { ...pt(2), value: 'x' }]));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error).toMatch(/^1\.value: /);
  });

  it('rejects a batch that mixes series, and empty or oversized batches', () => {
    const mixed = decodeMetricMessage(JSON.stringify([pt(1), pt(2, 'web-2')]));
    expect(mixed.ok).toBe(false);
    if (!mixed.ok) expect(mixed.error).toContain('one series');
    expect(decodeMetricMessage('[]').ok).toBe(false);
    const big = Array.from({ length: 1001 }, (_, i) => pt(i));
    expect(decodeMetricMessage(JSON.stringify(big)).ok).toBe(false);
  });

  it('packs each series into keyed messages of at most N points, keeping order', () => {
    const points = [
      ...Array.from({ length: 250 }, (_, i) => pt(i)),
      ...Array.from({ length: 3 }, (_, i) => pt(i, 'db')),
    ];
    const msgs = pointMessages(points, 100);
    expect(msgs.map((m) => m.key)).toEqual([
      seriesId('web-1', 'cpu'),
      seriesId('web-1', 'cpu'),
      seriesId('web-1', 'cpu'),
      seriesId('db', 'cpu'),
    ]);
    const decoded = msgs.flatMap((m) => {
      const d = decodeMetricMessage(m.value as string);
      if (!d.ok) throw new Error(d.error);
      return d.value;
    });
    expect(decoded.filter((p) => p.source === 'web-1').map((p) => p.value)).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    );
    expect(pointMessages(points, 1)).toHaveLength(253);
  });
});
