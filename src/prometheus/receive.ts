import type { MetricPoint } from '../contracts/metric.js';
import { RemoteWriteError } from './errors.js';
import {
  emptyCounts,
  identify,
  type MapCounts,
  type MappingOptions,
  type SampleMapper,
  type SeriesIdentity,
} from './mapping.js';
import { decodeRemoteWrite, type WriteRequest } from './write-request.js';

export interface Received {
  points: MetricPoint[];
  /** keep the counters' rate state: call once the points are written */
  commit(): void;
  counts: MapCounts;
  /** series and samples in the request */
  series: number;
  samples: number;
}

const MAX_ISSUES = 20;

/**
 * The points of a decoded WriteRequest. A series without `__name__` makes the whole request
 * invalid (RemoteWriteError 400 naming each such series) — nothing is mapped, so a rejected request
 * leaves no trace in the counters' rate state; nor does one whose points are not written (no `commit()`).
 */
export function writeRequestToPoints(req: WriteRequest, mapper: SampleMapper, opts: MappingOptions): Received {
  const ids: Array<SeriesIdentity | string> = [];
  const issues: RemoteWriteError['issues'] = [];
  let bad = 0;
  for (let i = 0; i < req.timeseries.length; i++) {
    const id = identify((req.timeseries[i] as WriteRequest['timeseries'][number]).labels, opts);
    if (typeof id === 'string') {
      bad++;
      if (issues.length < MAX_ISSUES)
        issues.push({ path: `timeseries[${i}].labels`, message: id, code: 'missing_name' });
    }
    ids.push(id);
  }
  if (bad > 0) {
    const first = issues[0] as { path: string; message: string };
    const more = bad > 1 ? ` (and ${bad - 1} more series)` : '';
    throw new RemoteWriteError('invalid_series', `${first.path}: ${first.message}${more}`, 400, issues);
  }
  const points: MetricPoint[] = [];
  const counts = emptyCounts();
  const batch = mapper.batch();
  let samples = 0;
  req.timeseries.forEach((s, i) => {
    samples += s.samples.length;
    batch.mapSamples(ids[i] as SeriesIdentity, s.samples, points, counts);
  });
  return { points, counts, series: req.timeseries.length, samples, commit: batch.commit };
}

/** A remote-write body (snappy-compressed protobuf) → points; throws RemoteWriteError for a bad body. */
export function receiveRemoteWrite(
  body: Uint8Array,
  mapper: SampleMapper,
  opts: MappingOptions & { maxDecodedBytes: number },
): Received {
  return writeRequestToPoints(decodeRemoteWrite(body, opts.maxDecodedBytes), mapper, opts);
}
