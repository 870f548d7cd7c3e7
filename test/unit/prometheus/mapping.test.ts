import { describe, expect, it } from 'vitest';
import { MetricPoint } from '../../../src/contracts/metric.js';
import { PromMapping } from '../../../src/prometheus/config.js';
import { RemoteWriteError } from '../../../src/prometheus/errors.js';
import {
  emptyCounts,
  fitName,
  formatSeries,
  identify,
  type MapCounts,
  SampleMapper,
  staleMarker,
} from '../../../src/prometheus/mapping.js';
import { writeRequestToPoints } from '../../../src/prometheus/receive.js';
import type { Label, WriteRequest } from '../../../src/prometheus/write-request.js';

const opts = PromMapping.parse({});
const L = (o: Record<string, string>): Label[] => Object.entries(o).map(([name, value]) => ({ name, value }));
const T = 1_700_000_000_000;

describe('series identity', () => {
  it('source from instance, name with the other labels sorted, instance and job kept as labels', () => {
    const id = identify(
      L({ mode: 'idle', __name__: 'node_cpu_seconds_total', job: 'node', instance: 'h1:9100', cpu: '0' }),
      { ...opts, rate: false },
    );
    expect(id).toEqual({
      source: 'h1:9100',
      metric: 'node_cpu_seconds_total{cpu="0",mode="idle"}',
      labels: { instance: 'h1:9100', job: 'node' },
      rate: false,
    });
  });

  it('falls back to job, then to defaultSource; a bare name has no braces', () => {
    expect(identify(L({ __name__: 'up', job: 'node' }), opts)).toMatchObject({ source: 'node', metric: 'up' });
    const none = identify(L({ __name__: 'up' }), opts);
    expect(none).toEqual({ source: 'prometheus', metric: 'up', rate: false });
  });

  it('a configured source label', () => {
    const id = identify(L({ __name__: 'm', host: 'db-1', instance: 'x:1' }), { ...opts, sourceLabels: ['host'] });
    expect(id).toMatchObject({ source: 'db-1', metric: 'm{instance="x:1"}', labels: { host: 'db-1' } });
  });

  it('escapes label values as the text format does, and leaves empty labels out', () => {
    expect(formatSeries('m', L({ path: 'C:\\dir', msg: 'say "hi"\nbye' }))).toBe(
      'm{msg="say \\"hi\\"\\nbye",path="C:\\\\dir"}',
    );
    expect(identify(L({ __name__: 'm', a: '', b: '1' }), opts)).toMatchObject({ metric: 'm{b="1"}' });
  });

  it('counters become rate(...) when rate is on', () => {
    expect(identify(L({ __name__: 'x_total', k: 'v' }), opts)).toMatchObject({
      metric: 'rate(x_total{k="v"})',
      rate: true,
    });
    expect(identify(L({ __name__: 'x_total' }), { ...opts, rate: false })).toMatchObject({
      metric: 'x_total',
      rate: false,
    });
  });

  it('a series without __name__ is an error message', () => {
    expect(identify(L({ job: 'x' }), opts)).toMatch(/__name__/);
  });

  it('names longer than 256 are cut and hashed: stable, distinct, valid', () => {
    const a = fitName(`m{l="${'a'.repeat(300)}"}`);
    const b = fitName(`m{l="${'a'.repeat(299)}b"}`);
    expect(a).toHaveLength(256);
    expect(a).not.toBe(b);
    expect(fitName(`m{l="${'a'.repeat(300)}"}`)).toBe(a);
    expect(fitName('short')).toBe('short');
    const id = identify(L({ __name__: 'm', l: 'x'.repeat(500) }), opts);
    expect(() =>
      MetricPoint.parse({ ts: T, source: 's', metric: (id as { metric: string }).metric, value: 1 }),
    ).not.toThrow();
  });
});

function mapAll(mapper: SampleMapper, labels: Label[], samples: Array<[number, number]>, commit = true) {
  const id = identify(labels, opts);
  if (typeof id === 'string') throw new Error(id);
  const out: MetricPoint[] = [];
  const counts: MapCounts = emptyCounts();
  const batch = mapper.batch();
  batch.mapSamples(
    id,
    samples.map(([timestamp, value]) => ({ timestamp, value })),
    out,
    counts,
  );
  if (commit) batch.commit();
  return { out, counts };
}

describe('samples → points', () => {
  it('a gauge: one valid MetricPoint per sample', () => {
    const { out, counts } = mapAll(
      new SampleMapper(opts),
      L({ __name__: 'node_memory_MemAvailable_bytes', instance: 'h:1' }),
      [
        [T, 1e9],
        [T + 1000, 1.1e9],
      ],
    );
    expect(out).toEqual([
      { v: 1, ts: T, source: 'h:1', metric: 'node_memory_MemAvailable_bytes', value: 1e9, labels: { instance: 'h:1' } },
      {
        v: 1,
        ts: T + 1000,
        source: 'h:1',
        metric: 'node_memory_MemAvailable_bytes',
        value: 1.1e9,
        labels: { instance: 'h:1' },
      },
    ]);
    for (const p of out) expect(MetricPoint.parse(p)).toEqual(p);
    expect(counts.points).toBe(2);
  });

  it('drops stale markers, NaN, ±Inf and bad timestamps, counting each', () => {
    const { out, counts } = mapAll(new SampleMapper(opts), L({ __name__: 'g' }), [
      [T, 1],
      [T + 1, staleMarker()],
      [T + 2, Number.NaN],
      [T + 3, Number.POSITIVE_INFINITY],
      [T + 4, Number.NEGATIVE_INFINITY],
      [-5, 1],
      [T + 6, 2],
    ]);
    expect(out.map((p) => p.value)).toEqual([1, 2]);
    expect(counts).toMatchObject({ points: 2, stale: 1, nan: 1, infinite: 2, badTimestamp: 1 });
  });

  it('a counter: per-second rate, first sample primes, a reset counts from zero', () => {
    const m = new SampleMapper(opts);
    const labels = L({ __name__: 'req_total', instance: 'h:1' });
    const { out, counts } = mapAll(m, labels, [
      [T, 100],
      [T + 2000, 110], // +10 in 2 s
      [T + 4000, 4], // reset: 4 since restart
    ]);
    expect(out.map((p) => [p.metric, p.value])).toEqual([
      ['rate(req_total)', 5],
      ['rate(req_total)', 2],
    ]);
    expect(counts.rateFirst).toBe(1);
    // the next request continues from the last sample
    const next = mapAll(m, labels, [[T + 5000, 5]]);
    expect(next.out.map((p) => p.value)).toEqual([1]);
    // an older or equal timestamp yields no rate
    expect(mapAll(m, labels, [[T + 5000, 6]]).counts.outOfOrder).toBe(1);
  });

  it('an uncommitted batch (the sink failed) leaves no state: the retry yields the same rates', () => {
    const m = new SampleMapper(opts);
    const labels = L({ __name__: 'c_total' });
    mapAll(m, labels, [[T, 10]]);
    const failed = mapAll(m, labels, [[T + 1000, 20]], false);
    const retried = mapAll(m, labels, [[T + 1000, 20]]);
    expect(retried.out).toEqual(failed.out);
    expect(retried.out.map((p) => p.value)).toEqual([10]);
  });

  it('a stale marker forgets the counter: the next sample primes again', () => {
    const m = new SampleMapper(opts);
    const labels = L({ __name__: 'c_total' });
    const r = mapAll(m, labels, [
      [T, 1],
      [T + 1000, staleMarker()],
      [T + 2000, 50],
      [T + 3000, 53],
    ]);
    expect(r.out.map((p) => p.value)).toEqual([3]);
    expect(r.counts).toMatchObject({ stale: 1, rateFirst: 2 });
  });

  it('remembers at most rateSeries counters', () => {
    const m = new SampleMapper({ ...opts, rateSeries: 2 });
    for (const n of ['a_total', 'b_total', 'c_total']) mapAll(m, L({ __name__: n }), [[T, 1]]);
    expect(m.rateSeries).toBe(2);
    // a_total was forgotten: primes again
    expect(mapAll(m, L({ __name__: 'a_total' }), [[T + 1000, 2]]).counts.rateFirst).toBe(1);
  });
});

describe('writeRequestToPoints', () => {
  it('rejects the whole request when a series has no __name__, naming it', () => {
    const req: WriteRequest = {
      timeseries: [
        { labels: L({ __name__: 'ok' }), samples: [{ value: 1, timestamp: T }] },
        { labels: L({ job: 'x' }), samples: [{ value: 1, timestamp: T }] },
      ],
    };
    try {
      writeRequestToPoints(req, new SampleMapper(opts), opts);
      throw new Error('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(RemoteWriteError);
      expect((e as RemoteWriteError).message).toBe('timeseries[1].labels: the series has no __name__ label');
      expect((e as RemoteWriteError).issues).toHaveLength(1);
    }
  });
});
