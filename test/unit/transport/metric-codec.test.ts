import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricPoint } from '../../../src/contracts/metric.js';
import { decodeJson } from '../../../src/transport/codec.js';
import { decodeMetricPoint, fastMetricPoint } from '../../../src/transport/metric-codec.js';

/** values near the edges of the schema */
const anyValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(null, -0, 0, 1, -1, Number.MAX_VALUE, Number.POSITIVE_INFINITY, '1', '', 'x', true, [], {}),
  fc.string(),
);
const name = fc.oneof(fc.string({ maxLength: 3 }), fc.string({ minLength: 250, maxLength: 260 }), fc.constant(''));
const wild = fc.record(
  {
    v: fc.constantFrom(1, 2, '1', null),
    ts: fc.oneof(
      anyValue,
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    ),
    source: fc.oneof(name, anyValue),
    metric: fc.oneof(name, anyValue),
    value: anyValue,
    labels: fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(fc.string(), fc.integer())),
    extra: anyValue,
  },
  { requiredKeys: [] },
);
/** mostly valid points, each field occasionally off */
const nearlyValid = fc.record(
  {
    v: fc.constantFrom(1, 1, 1, 2),
    ts: fc.oneof(fc.nat(), fc.double({ min: 0, noNaN: true }), fc.constantFrom(-0, -1, Number.POSITIVE_INFINITY)),
    source: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), name),
    metric: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), name),
    value: fc.oneof(fc.double(), fc.constant(null), anyValue),
  },
  { requiredKeys: ['ts', 'source', 'metric', 'value'] },
);
const candidate = fc.oneof(nearlyValid, nearlyValid, wild);

describe('fastMetricPoint', () => {
  it('accepts only what MetricPoint accepts, and returns exactly what zod returns', () => {
    fc.assert(
      fc.property(candidate, (o) => {
        const fast = fastMetricPoint(o);
        const zod = MetricPoint.safeParse(o);
        if (fast !== undefined) {
          expect(zod.success).toBe(true);
          expect(fast).toEqual(zod.success ? zod.data : undefined);
          expect(Object.keys(fast)).toEqual(Object.keys(zod.success ? zod.data : {}));
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('takes the common shape', () => {
    expect(fastMetricPoint({ ts: 5, source: 'a', metric: 'b', value: 1.5 })).toEqual({
      v: 1,
      ts: 5,
      source: 'a',
      metric: 'b',
      value: 1.5,
    });
    expect(fastMetricPoint({ v: 1, ts: 0, source: 'a', metric: 'b', value: null })).toBeDefined();
  });

  it('leaves labels, ISO timestamps and anything odd to zod', () => {
    expect(fastMetricPoint({ ts: 5, source: 'a', metric: 'b', value: 1, labels: {} })).toBeUndefined();
    expect(fastMetricPoint({ ts: '2024-01-01T00:00:00Z', source: 'a', metric: 'b', value: 1 })).toBeUndefined();
    expect(fastMetricPoint(JSON.parse('{"__proto__":1,"ts":5,"source":"a","metric":"b","value":1}'))).toBeUndefined();
  });
});

describe('decodeMetricPoint', () => {
  it('agrees with decodeJson(MetricPoint) on valid and invalid bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          candidate.map((o) => JSON.stringify(o)),
          fc.string(),
        ),
        (text) => {
          expect(decodeMetricPoint(Buffer.from(text))).toEqual(decodeJson(MetricPoint, Buffer.from(text)));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('handles empty and null values', () => {
    expect(decodeMetricPoint(null).ok).toBe(false);
    expect(decodeMetricPoint(Buffer.alloc(0)).ok).toBe(false);
  });
});
