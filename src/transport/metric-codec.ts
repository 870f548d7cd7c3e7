import { MAX_POINTS_PER_MESSAGE, MetricMessage, MetricPoint } from '../contracts/metric.js';
import { seriesId } from '../contracts/series.js';
import { type Decoded, decodeJson, formatIssues } from './codec.js';

/**
 * The common case of `MetricPoint.safeParse`, checked by hand: an object with exactly the keys
 * among v, ts (epoch ms), source, metric, value — no labels, no ISO timestamp. Returns the same
 * output zod would, or undefined for anything else (which then goes through zod, the schema of
 * record, which also writes the error message). A property test holds the two equal.
 */
export function fastMetricPoint(o: unknown): MetricPoint | undefined {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  for (const k in r) {
    if (k !== 'ts' && k !== 'source' && k !== 'metric' && k !== 'value' && k !== 'v') return undefined;
  }
  const { v, ts, source, metric, value } = r;
  if (v !== undefined && v !== 1) return undefined;
  if (typeof ts !== 'number' || !(ts >= 0) || ts === Number.POSITIVE_INFINITY) return undefined;
  if (typeof source !== 'string' || source.length < 1 || source.length > 256) return undefined;
  if (typeof metric !== 'string' || metric.length < 1 || metric.length > 256) return undefined;
  if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) return undefined;
  return { v: 1, ts, source, metric, value };
}

function parseJson(bytes: Buffer | Uint8Array | string): { ok: true; json: unknown } | { ok: false } {
  try {
    const text =
      typeof bytes === 'string'
        ? bytes
        : Buffer.isBuffer(bytes)
          ? bytes.toString('utf8')
          : Buffer.from(bytes).toString('utf8');
    return { ok: true, json: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Decode and validate one metric point message value; never throws. */
export function decodeMetricPoint(bytes: Buffer | Uint8Array | string | null | undefined): Decoded<MetricPoint> {
  if (bytes !== null && bytes !== undefined && bytes.length > 0) {
    const parsed = parseJson(bytes);
    if (parsed.ok) {
      const fast = fastMetricPoint(parsed.json);
      if (fast) return { ok: true, value: fast };
      const r = MetricPoint.safeParse(parsed.json);
      if (r.success) return { ok: true, value: r.data };
    }
  }
  // the slow path writes the error text (and re-parses: only for rejected messages)
  return decodeJson(MetricPoint, bytes);
}

/**
 * Decode one metrics message: a single point or an array of points of one series (see
 * `MetricMessage`). Never throws; a rejected batch names the index and field of the first problem.
 */
export function decodeMetricMessage(bytes: Buffer | Uint8Array | string | null | undefined): Decoded<MetricPoint[]> {
  if (bytes !== null && bytes !== undefined && bytes.length > 0) {
    const parsed = parseJson(bytes);
    if (parsed.ok && Array.isArray(parsed.json)) return decodeArray(parsed.json);
    if (parsed.ok) {
      const fast = fastMetricPoint(parsed.json);
      if (fast) return { ok: true, value: [fast] };
      const r = MetricPoint.safeParse(parsed.json);
      if (r.success) return { ok: true, value: [r.data] };
    }
  }
  const one = decodeJson(MetricPoint, bytes);
  return one.ok ? { ok: true, value: [one.value] } : one;
}

function decodeArray(items: unknown[]): Decoded<MetricPoint[]> {
  if (items.length === 0 || items.length > MAX_POINTS_PER_MESSAGE) {
    return {
      ok: false,
      error: `(root): a batch holds 1 to ${MAX_POINTS_PER_MESSAGE} points, got ${items.length}`,
      fields: ['(root)'],
    };
  }
  const out: MetricPoint[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const p = fastMetricPoint(items[i]);
    if (p) {
      out[i] = p;
      continue;
    }
    const r = MetricMessage.safeParse(items);
    if (!r.success) {
      // the array branch's issues carry the index; report those
      const arrayIssues = r.error.issues.flatMap((iss) =>
        iss.code === 'invalid_union' ? (iss.errors[1] ?? []) : [iss],
      );
      const { text, fields } = formatIssues(arrayIssues.length > 0 ? arrayIssues : r.error.issues);
      return { ok: false, error: text, fields };
    }
    return checkOneSeries(r.data as MetricPoint[]);
  }
  return checkOneSeries(out);
}

function checkOneSeries(points: MetricPoint[]): Decoded<MetricPoint[]> {
  const first = points[0] as MetricPoint;
  const id = seriesId(first.source, first.metric);
  for (let i = 1; i < points.length; i++) {
    const p = points[i] as MetricPoint;
    if (p.source !== first.source || p.metric !== first.metric) {
      return {
        ok: false,
        error: `${i}: a batch must hold one series (${id}), got ${seriesId(p.source, p.metric)}`,
        fields: [String(i)],
      };
    }
  }
  return { ok: true, value: points };
}
