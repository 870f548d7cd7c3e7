import { describe, expect, it } from 'vitest';
import { MetricPoint } from '../../../src/contracts/metric.js';
import { decodeJson, encodeJson } from '../../../src/transport/codec.js';

const decode = (s: string | Buffer | null) => decodeJson(MetricPoint, s);

describe('decodeJson(MetricPoint)', () => {
  it('accepts a valid point from bytes and normalises an ISO timestamp to epoch ms', () => {
    const r = decode(Buffer.from(encodeJson({ ts: '2024-01-01T00:00:00Z', source: 'h1', metric: 'cpu', value: 1.5 })));
    expect(r).toEqual({
      ok: true,
      value: { v: 1, ts: Date.parse('2024-01-01T00:00:00Z'), source: 'h1', metric: 'cpu', value: 1.5 },
    });
  });

  it('accepts value null (a missing observation) and labels', () => {
    const r = decode('{"ts":1,"source":"a","metric":"b","value":null,"labels":{"dc":"x"}}');
    expect(r.ok).toBe(true);
  });

  it('rejects invalid JSON without throwing', () => {
    const r = decode('{"ts":1,');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatch(/^\(root\): invalid JSON/);
      expect(r.fields).toEqual(['(root)']);
    }
  });

  it('rejects an empty or null value', () => {
    for (const v of [null, '', Buffer.alloc(0)]) {
      const r = decode(v);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/empty message/);
    }
  });

  it.each([
    ['a number as a string', { ts: 1, source: 'a', metric: 'b', value: '1e400' }, ['value']],
    ['a missing field', { ts: 1, source: 'a', value: 1 }, ['metric']],
    ['wrong types in two fields', { ts: 'yesterday', source: 7, metric: 'b', value: 1 }, ['ts', 'source']],
    ['an unknown field', { ts: 1, source: 'a', metric: 'b', value: 1, extra: true }, ['(root)']],
    ['a wrong schema version', { v: 2, ts: 1, source: 'a', metric: 'b', value: 1 }, ['v']],
    ['a non-string label', { ts: 1, source: 'a', metric: 'b', value: 1, labels: { dc: 3 } }, ['labels.dc']],
    ['an empty source', { ts: 1, source: '', metric: 'b', value: 1 }, ['source']],
  ])('rejects %s, naming the field(s)', (_name, input, fields) => {
    const r = decode(JSON.stringify(input));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields.sort()).toEqual([...fields].sort());
    for (const f of fields) expect(r.error).toContain(`${f}:`);
  });

  it('names the unexpected key', () => {
    const r = decode('{"ts":1,"source":"a","metric":"b","value":1,"extra":true}');
    expect(!r.ok && r.error).toContain('"extra"');
  });

  it('rejects a JSON value that is not an object', () => {
    for (const s of ['42', '"x"', '[1,2]', 'null']) expect(decode(s).ok).toBe(false);
  });
});
