import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ring } from '../../../src/api/ring.js';
import { createViews } from '../../../src/api/views.js';
import type { AnomalyEvent } from '../../../src/contracts/index.js';
import { anomaly, score, scores } from './fixtures.js';

const T0 = 1_700_000_000_000;

describe('anomaly view', () => {
  it('de-duplicates by id: a redelivered event is kept once, the later state replaces', () => {
    const v = createViews({ anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 10 });
    const firing = anomaly({ id: 'x', ts: T0 });
    v.addAnomaly(firing);
    v.addAnomaly(firing);
    expect(v.anomalies()).toHaveLength(1);
    v.addAnomaly(anomaly({ id: 'x', state: 'resolved', ts: T0 + 60_000, startedAt: T0 }));
    expect(v.anomalies()).toEqual([expect.objectContaining({ id: 'x', state: 'resolved' })]);
    expect(v.series('host-1', 'cpu')?.lastAnomaly?.state).toBe('resolved');
  });

  it('resolved is final: a redelivered firing of the same id does not reopen it', () => {
    const v = createViews({ anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 10 });
    v.addAnomaly(anomaly({ id: 'x', ts: T0 }));
    v.addAnomaly(anomaly({ id: 'x', state: 'resolved', ts: T0 + 1, startedAt: T0 }));
    v.addAnomaly(anomaly({ id: 'x', ts: T0 }));
    expect(v.anomalies()[0]?.state).toBe('resolved');
    expect(v.series('host-1', 'cpu')?.lastAnomaly?.state).toBe('resolved');
  });

  it("a series' last anomaly is the one that started last, whatever the arrival order", () => {
    const v = createViews({ anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 10 });
    v.addAnomaly(anomaly({ id: 'new', ts: T0 + 100, startedAt: T0 + 100 }));
    v.addAnomaly(anomaly({ id: 'old', state: 'resolved', ts: T0 + 200, startedAt: T0 }));
    expect(v.series('host-1', 'cpu')?.lastAnomaly?.id).toBe('new');
  });

  it('keeps at most anomaliesKept, dropping the oldest arrivals', () => {
    const v = createViews({ anomaliesKept: 3, seriesKept: 10, pointsPerSeries: 10 });
    for (let i = 0; i < 5; i++) v.addAnomaly(anomaly({ id: `e${i}`, ts: T0 + i }));
    expect(v.anomalies().map((a) => a.id)).toEqual(['e4', 'e3', 'e2']);
    expect(v.stats().anomalies).toBe(3);
  });

  const eventArb = fc.record({
    id: fc.integer({ min: 0, max: 30 }).map((i) => `id${i}`),
    state: fc.constantFrom('firing' as const, 'resolved' as const),
    ts: fc.integer({ min: 0, max: 1000 }),
    source: fc.constantFrom('a', 'b'),
  });

  it('property: bounded, one entry per id, newest first, equals a reference model', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (events, kept) => {
        const v = createViews({ anomaliesKept: kept, seriesKept: 5, pointsPerSeries: 5 });
        // reference: Map in arrival order, replace = move to end, resolved final
        const ref = new Map<string, AnomalyEvent>();
        for (const e of events) {
          const ev = anomaly({ ...e, startedAt: e.ts, metric: 'm' });
          v.addAnomaly(ev);
          const prev = ref.get(ev.id);
          if (prev?.state === 'resolved' && ev.state === 'firing') continue;
          ref.delete(ev.id);
          ref.set(ev.id, ev);
          while (ref.size > kept) ref.delete(ref.keys().next().value as string);
        }
        const got = v.anomalies({ limit: 1000 });
        expect(got.length).toBeLessThanOrEqual(kept);
        expect(new Set(got.map((a) => a.id)).size).toBe(got.length);
        for (let i = 1; i < got.length; i++) expect(got[i - 1]!.ts).toBeGreaterThanOrEqual(got[i]!.ts);
        expect(new Map(got.map((a) => [a.id, a]))).toEqual(new Map([...ref].sort(([x], [y]) => x.localeCompare(y))));
        const onlyA = v.anomalies({ source: 'a', since: 500, limit: 3 });
        expect(onlyA.every((a) => a.source === 'a' && a.ts >= 500)).toBe(true);
        expect(onlyA.length).toBeLessThanOrEqual(3);
      }),
    );
  });
});

describe('series view', () => {
  it('keeps pointsPerSeries recent points, oldest first, with status and latest', () => {
    const v = createViews({ anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 3 });
    v.addScores(scores('s', 'm', [score(1, { status: 'learning' }), score(2, { status: 'learning' })]));
    expect(v.series('s', 'm')?.status).toBe('learning');
    v.addScores(scores('s', 'm', [score(3), score(4, { value: 4 }), score(5, { value: 5, score: 0.9 })]));
    const s = v.series('s', 'm');
    expect(s?.points.map((p) => p.ts)).toEqual([3, 4, 5]);
    expect(s).toMatchObject({ status: 'ready', lastTs: 5, latest: { value: 5, score: 0.9 } });
  });

  it('a redelivered score batch replaces points with the same ts instead of duplicating', () => {
    const v = createViews({ anomaliesKept: 10, seriesKept: 10, pointsPerSeries: 10 });
    v.addScores(scores('s', 'm', [score(1), score(2), score(3)]));
    v.addScores(scores('s', 'm', [score(2, { score: 0.5 }), score(3, { score: 0.6 }), score(4)]));
    const s = v.series('s', 'm');
    expect(s?.points.map((p) => p.ts)).toEqual([1, 2, 3, 4]);
    expect(s?.points.map((p) => p.score)).toEqual([0.1, 0.5, 0.6, 0.1]);
  });

  it('evicts the least recently updated series past seriesKept', () => {
    const v = createViews({ anomaliesKept: 10, seriesKept: 2, pointsPerSeries: 10 });
    v.addScores(scores('a', 'm', [score(1)]));
    v.addScores(scores('b', 'm', [score(1)]));
    v.addScores(scores('a', 'm', [score(2)])); // a is now the most recent
    v.addScores(scores('c', 'm', [score(1)]));
    expect(v.series('b', 'm')).toBeUndefined();
    expect(v.series('a', 'm')?.points).toHaveLength(2);
    expect(v.series('c', 'm')).toBeDefined();
    expect(v.stats().series).toBe(2);
  });

  it('property: bounded series count and points per series, no duplicate ts, latest is the max ts', () => {
    const batchArb = fc.record({
      source: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
      ts: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 10 }),
    });
    fc.assert(
      fc.property(
        fc.array(batchArb, { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        (batches, seriesKept, pointsPerSeries) => {
          const v = createViews({ anomaliesKept: 10, seriesKept, pointsPerSeries });
          const seen = new Map<string, number[]>();
          for (const b of batches) {
            v.addScores(
              scores(
                b.source,
                'm',
                b.ts.map((t) => score(t)),
              ),
            );
            seen.set(b.source, [...(seen.get(b.source) ?? []), ...b.ts]);
          }
          const list = v.listSeries({ limit: 100 });
          expect(list.length).toBeLessThanOrEqual(seriesKept);
          expect(v.stats().series).toBe(list.length);
          for (const s of list) {
            const view = v.series(s.source, s.metric)!;
            const ts = view.points.map((p) => p.ts);
            expect(ts.length).toBeLessThanOrEqual(pointsPerSeries);
            expect(new Set(ts).size).toBe(ts.length);
            expect(ts).toEqual([...ts].sort((x, y) => x - y));
            expect(view.lastTs).toBe(ts[ts.length - 1]);
            expect(s.lastTs).toBe(view.lastTs);
            const all = seen.get(s.source)!;
            for (const t of ts) expect(all).toContain(t);
          }
        },
      ),
    );
  });

  it('rejects nonsense limits', () => {
    expect(() => createViews({ anomaliesKept: 0, seriesKept: 1, pointsPerSeries: 1 })).toThrow(/anomaliesKept/);
  });
});

describe('Ring', () => {
  it('property: holds the last `capacity` pushed items in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 10 }), (items, cap) => {
        const r = new Ring<number>(cap);
        for (const x of items) r.push(x);
        expect(r.toArray()).toEqual(items.slice(-cap));
        expect(r.size).toBe(Math.min(cap, items.length));
      }),
    );
  });
});
