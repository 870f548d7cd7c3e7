import protobuf from 'protobufjs';
import * as snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { RemoteWriteError } from '../../../src/prometheus/errors.js';
import { isStaleMarker, staleMarker } from '../../../src/prometheus/mapping.js';
import {
  decodeRemoteWrite,
  decodeWriteRequest,
  encodeRemoteWrite,
  snappyDecode,
} from '../../../src/prometheus/write-request.js';

// The test builds its WriteRequest with its own protobufjs schema (the remote-write 1.0 .proto),
// independently of the one in src/, so a wrong field number there would show.
const proto = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
message MetricMetadata { int32 type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; }
message Exemplar { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;
const WriteRequest = protobuf.parse(proto).root.lookupType('prometheus.WriteRequest');

function body(obj: Record<string, unknown>): Uint8Array {
  return snappy.compress(WriteRequest.encode(WriteRequest.create(obj)).finish());
}

const T = 1_700_000_000_123;

describe('decodeRemoteWrite', () => {
  it('decodes a known WriteRequest: labels, values, int64 timestamps as epoch ms', () => {
    const req = decodeRemoteWrite(
      body({
        timeseries: [
          {
            labels: [
              { name: '__name__', value: 'node_cpu_seconds_total' },
              { name: 'cpu', value: '0' },
              { name: 'instance', value: '127.0.0.1:9100' },
              { name: 'mode', value: 'idle' },
            ],
            samples: [
              { value: 1234.5, timestamp: T },
              { value: 1235.25, timestamp: T + 1000 },
            ],
          },
          { labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 0 }] },
        ],
      }),
      1 << 20,
    );
    expect(req.timeseries).toEqual([
      {
        labels: [
          { name: '__name__', value: 'node_cpu_seconds_total' },
          { name: 'cpu', value: '0' },
          { name: 'instance', value: '127.0.0.1:9100' },
          { name: 'mode', value: 'idle' },
        ],
        samples: [
          { value: 1234.5, timestamp: T },
          { value: 1235.25, timestamp: T + 1000 },
        ],
      },
      { labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: 0 }] },
    ]);
  });

  it('skips what remote write 1.0 does not define (metadata, exemplars)', () => {
    const req = decodeRemoteWrite(
      body({
        timeseries: [
          {
            labels: [{ name: '__name__', value: 'x' }],
            samples: [{ value: 2, timestamp: T }],
            exemplars: [{ labels: [{ name: 'trace_id', value: 'abc' }], value: 1, timestamp: T }],
          },
        ],
        metadata: [{ type: 1, metricFamilyName: 'x', help: 'h' }],
      }),
      1 << 20,
    );
    expect(req.timeseries).toEqual([
      { labels: [{ name: '__name__', value: 'x' }], samples: [{ value: 2, timestamp: T }] },
    ]);
  });

  it('a metadata-only request (Prometheus sends those) has no series', () => {
    expect(decodeRemoteWrite(body({ metadata: [{ type: 1, metricFamilyName: 'x' }] }), 1 << 20).timeseries).toEqual([]);
  });

  it('keeps the stale marker recognisable through protobuf decoding', () => {
    const req = decodeRemoteWrite(
      body({
        timeseries: [{ labels: [{ name: '__name__', value: 'x' }], samples: [{ value: staleMarker(), timestamp: T }] }],
      }),
      1 << 20,
    );
    const v = req.timeseries[0]?.samples[0]?.value as number;
    expect(Number.isNaN(v)).toBe(true);
    expect(isStaleMarker(v)).toBe(true);
    expect(isStaleMarker(Number.NaN)).toBe(false);
    expect(isStaleMarker(1)).toBe(false);
  });

  it('round-trips through encodeRemoteWrite', () => {
    const req = {
      timeseries: [{ labels: [{ name: '__name__', value: 'm' }], samples: [{ value: -3.5, timestamp: T }] }],
    };
    expect(decodeRemoteWrite(encodeRemoteWrite(req), 1 << 20)).toEqual(req);
  });
});

describe('bad bodies name what was wrong', () => {
  const fail = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(RemoteWriteError);
      return e as RemoteWriteError;
    }
    throw new Error('expected a RemoteWriteError');
  };

  it('an empty body', () => {
    const e = fail(() => snappyDecode(new Uint8Array(), 100));
    expect(e.code).toBe('invalid_snappy');
    expect(e.message).toMatch(/empty/);
  });

  it('bytes that are not snappy', () => {
    const e = fail(() => decodeRemoteWrite(Buffer.from('{"hello":"json"}'), 1 << 20));
    expect(e.code).toBe('invalid_snappy');
    expect(e.status).toBe(400);
  });

  it('snappy around something that is not a WriteRequest', () => {
    const e = fail(() => decodeRemoteWrite(snappy.compress(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 1])), 1 << 20));
    expect(e.code).toBe('invalid_protobuf');
    expect(e.message).toMatch(/WriteRequest/);
  });

  it('a body announcing more than maxDecodedBytes → 413 before decompressing', () => {
    const big = snappy.compress(new Uint8Array(10_000));
    const e = fail(() => snappyDecode(big, 1000));
    expect(e.status).toBe(413);
    expect(e.message).toMatch(/10000 bytes/);
  });

  it('decodeWriteRequest on garbage', () => {
    expect(fail(() => decodeWriteRequest(Buffer.from([0xff, 0xff]))).code).toBe('invalid_protobuf');
  });
});
