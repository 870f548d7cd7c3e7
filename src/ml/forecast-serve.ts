import type { Breach, Forecast, ModelRef, Prediction } from '../contracts/prediction.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { breachesAt, columnLimits } from './breach.js';
import type { ForecasterModel, ForecasterOutput } from './forecast.js';
import type { BreachLimits } from './forecast-schema.js';

const r6 = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(6)) : 0);

/** `15m`, `90s`, `1h30m`: a compact duration for reasons. */
function dur(ms: number): string {
  if (ms <= 0) return 'now';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
}

/** The model's own limits (from training), overridden metric by metric by the configured ones. */
export function effectiveLimits(model: ForecasterModel, configured: BreachLimits = {}): BreachLimits {
  return { ...model.meta.limits, ...configured };
}

/** Row `i` of a forecaster output as a Prediction: expected values with a band, and time to breach. */
export function forecastPrediction(
  model: ForecasterModel,
  ref: ModelRef,
  out: ForecasterOutput,
  i: number,
  source: string,
  ts: number,
  limits: BreachLimits = {},
): Prediction {
  const meta = model.meta;
  const metrics = meta.features.metrics;
  const { S, M } = out;
  const stepMs = meta.forecast.stride * meta.features.stepMs;
  const z = meta.forecast.z;
  const forecast: Forecast = {
    stepMs,
    band: meta.forecast.band,
    metrics: metrics.map((metric, m) => {
      const expected: number[] = [];
      const lower: number[] = [];
      const upper: number[] = [];
      for (let j = 0; j < S; j++) {
        const q = i * S * M + j * M + m;
        const mu = out.mean[q] as number;
        const half = z * (out.sigma[q] as number);
        expected.push(r6(mu));
        lower.push(r6(mu - half));
        upper.push(r6(mu + half));
      }
      return { metric, expected, lower, upper };
    }),
  };
  const breaches: Breach[] = breachesAt(out, i, columnLimits(metrics, effectiveLimits(model, limits)), stepMs, ts).map(
    (b) => ({ ...b, p: r6(b.p) }),
  );
  const horizonMs = S * stepMs;
  const coming = breaches.filter((b) => b.inMs !== null).sort((a, b) => (a.inMs as number) - (b.inMs as number));
  const first = forecast.metrics[0];
  const head = first
    ? `next ${dur(stepMs)}: ${forecast.metrics
        .map((f) => `${f.metric} ${f.expected[0]} [${f.lower[0]}, ${f.upper[0]}]`)
        .join(', ')}`
    : '';
  let tail: string;
  if (coming.length > 0) {
    tail = coming
      .map(
        (b) =>
          `${b.metric} ${b.inMs === 0 ? 'beyond' : 'predicted to cross'} its limit ${b.direction} ${b.limit}${b.inMs === 0 ? ' now' : ` in ${dur(b.inMs as number)}`} (p ${Math.round(b.p * 100)} %)`,
      )
      .join('; ');
  } else if (breaches.length > 0) {
    const top = [...breaches].sort((a, b) => b.p - a.p)[0] as Breach;
    tail = `no limit crossed within ${dur(horizonMs)} (highest: ${top.metric} ${Math.round(top.p * 100)} %)`;
  } else tail = 'no limits configured';
  return {
    v: SCHEMA_VERSION,
    id: `${source}:${ref.name}@${ref.version}:${ts}`,
    ts,
    source,
    model: ref,
    horizonMs,
    score: null,
    faults: [],
    contributors: [],
    reason: `${head}; ${tail}`,
    forecast,
    breaches,
  };
}
