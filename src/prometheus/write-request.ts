import protobuf from 'protobufjs/light.js';
import * as snappy from 'snappyjs';
import { RemoteWriteError } from './errors.js';

/**
 * Prometheus remote-write 1.0 wire format (https://prometheus.io/docs/specs/remote_write_spec/):
 * the body is a protobuf `WriteRequest`, compressed with snappy's *block* format (not the framed
 * one). Only the fields of the 1.0 spec are declared; others (metadata, exemplars, native
 * histograms) are skipped by the decoder.
 *
 *   message WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; reserved 3; }
 *   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   message Label        { string name = 1; string value = 2; }
 *   message Sample       { double value = 1; int64 timestamp = 2; } // timestamp: epoch ms
 */
const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const WriteRequestType = root.lookupType('prometheus.WriteRequest');

export interface Label {
  name: string;
  value: string;
}
export interface Sample {
  value: number;
  /** epoch ms */
  timestamp: number;
}
export interface TimeSeries {
  labels: Label[];
  samples: Sample[];
}
export interface WriteRequest {
  timeseries: TimeSeries[];
}

/** The HTTP headers a remote-write 1.0 sender sets. */
export const REMOTE_WRITE_HEADERS = {
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf',
  'x-prometheus-remote-write-version': '0.1.0',
} as const;

type LongLike = number | { toNumber(): number };
interface RawSeries {
  labels?: Array<{ name?: string; value?: string }>;
  samples?: Array<{ value?: number; timestamp?: LongLike }>;
}

const toNumber = (t: LongLike | undefined): number => (t === undefined ? 0 : typeof t === 'number' ? t : t.toNumber());

/**
 * The uncompressed length a snappy block announces (its varint preamble), or -1 when the
 * preamble is malformed. Read before decompressing so a small body cannot claim gigabytes.
 */
export function snappyDecodedLength(buf: Uint8Array): number {
  let result = 0;
  for (let i = 0; i < 5 && i < buf.length; i++) {
    const b = buf[i] as number;
    result += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return result;
  }
  return -1;
}

/** Decompresses a snappy block; throws RemoteWriteError (400, or 413 above `maxDecodedBytes`). */
export function snappyDecode(body: Uint8Array, maxDecodedBytes: number): Uint8Array {
  if (body.length === 0)
    throw new RemoteWriteError('invalid_snappy', 'the body is empty: expected a snappy-compressed WriteRequest');
  const announced = snappyDecodedLength(body);
  if (announced < 0)
    throw new RemoteWriteError('invalid_snappy', 'the body is not snappy block format: bad length preamble');
  if (announced > maxDecodedBytes) {
    throw new RemoteWriteError(
      'payload_too_large',
      `the body decompresses to ${announced} bytes, above the limit of ${maxDecodedBytes}; lower max_samples_per_send`,
      413,
    );
  }
  try {
    return snappy.uncompress(body, maxDecodedBytes);
  } catch (err) {
    throw new RemoteWriteError(
      'invalid_snappy',
      `the body is not valid snappy block format (remote write does not use the framed format): ${(err as Error).message}`,
    );
  }
}

/** Decodes an uncompressed WriteRequest; throws RemoteWriteError (400) naming what was wrong. */
export function decodeWriteRequest(bytes: Uint8Array): WriteRequest {
  let raw: { timeseries?: RawSeries[] };
  try {
    raw = WriteRequestType.decode(bytes) as unknown as { timeseries?: RawSeries[] };
  } catch (err) {
    throw new RemoteWriteError(
      'invalid_protobuf',
      `the decompressed body is not a protobuf WriteRequest: ${(err as Error).message}`,
    );
  }
  const timeseries: TimeSeries[] = [];
  for (const s of raw.timeseries ?? []) {
    timeseries.push({
      labels: (s.labels ?? []).map((l) => ({ name: l.name ?? '', value: l.value ?? '' })),
      samples: (s.samples ?? []).map((x) => ({ value: x.value ?? 0, timestamp: toNumber(x.timestamp) })),
    });
  }
  return { timeseries };
}

/** snappy + protobuf in one step: a remote-write request body → its series. */
export function decodeRemoteWrite(body: Uint8Array, maxDecodedBytes: number): WriteRequest {
  return decodeWriteRequest(snappyDecode(body, maxDecodedBytes));
}

/** Encodes a WriteRequest as a remote-write body (protobuf, snappy block); for tests, benchmarks and senders. */
export function encodeRemoteWrite(req: WriteRequest): Uint8Array {
  const bytes = WriteRequestType.encode(WriteRequestType.fromObject(req)).finish();
  return snappy.compress(bytes);
}
