import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultType } from '../contracts/fault.js';
import type { MetricPoint } from '../contracts/metric.js';
import type { FaultSample } from '../contracts/samples.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { createRng, type Rng } from '../sim/random.js';

/**
 * Seeded historical fault samples: per source four metrics (cpu %, mem %, latency_ms, error_rate)
 * with a daily cycle, noise, an AR(1) drift on memory and random missing values; faults of the
 * chosen types at random gaps, each preceded by a clear precursor over `precursorSteps` rows:
 *
 *   resource_exhaustion      mem jumps by ~5σ then climbs (leak), cpu creeps up
 *   performance_degradation  latency +35 % then climbs, cpu up
 *   node_failure             error_rate jumps then climbs, latency creeps
 *   network_partition        latency jitter ×4, error_rate up
 *   service_unavailability   error_rate and latency up, cpu falls
 *   data_corruption          error_rate up, mem saw-tooth
 *
 * During a fault the metrics are clearly broken (node_failure: cpu/mem/latency missing — the node
 * stops reporting). The same seed gives the same data on every machine.
 */
export interface SyntheticOptions {
  seed: number;
  sources?: number;
  /** rows per source */
  steps?: number;
  stepMs?: number;
  start?: number;
  faultTypes?: readonly FaultType[];
  /** mean rows between the end of a fault and the start of the next precursor */
  meanGap?: number;
  precursorSteps?: number;
  faultSteps?: number;
  /** probability that a value is missing */
  missingRate?: number;
}

export const SYNTHETIC_METRICS = ['cpu', 'error_rate', 'latency_ms', 'mem'] as const;

export const SYNTHETIC_DEFAULTS = {
  sources: 4,
  steps: 2500,
  stepMs: 60_000,
  start: Date.UTC(2024, 0, 1),
  faultTypes: ['resource_exhaustion', 'performance_degradation', 'node_failure'] as FaultType[],
  meanGap: 100,
  precursorSteps: 15,
  faultSteps: 8,
  missingRate: 0.01,
};

export interface SyntheticData {
  points: MetricPoint[];
  faults: FaultSample[];
  metrics: string[];
  /** the horizon matching the precursor length: precursorSteps × stepMs */
  horizonMs: number;
  stepMs: number;
}

interface Row {
  cpu: number | null;
  mem: number | null;
  latency_ms: number | null;
  error_rate: number | null;
}

/** Apply a precursor (u in (0, 1]: progress towards the fault) to a normal row. */
function precursor(type: FaultType, r: Row, u: number, base: { lat: number }, rng: Rng): void {
  const add = (k: keyof Row, d: number) => {
    const v = r[k];
    if (v !== null) r[k] = v + d;
  };
  switch (type) {
    case 'resource_exhaustion':
      add('mem', 6 + 20 * u);
      add('cpu', 4 * u);
      break;
    case 'performance_degradation':
      add('latency_ms', (0.35 + 1.2 * u) * base.lat);
      add('cpu', 6 * u);
      break;
    case 'node_failure':
      add('error_rate', 1.5 + 4 * u);
      add('latency_ms', 0.2 * u * base.lat);
      break;
    case 'network_partition':
      add('latency_ms', (0.3 + 0.6 * u) * base.lat * Math.abs(rng.normal()) * 2);
      add('error_rate', 0.8 + 2 * u);
      break;
    case 'service_unavailability':
      add('error_rate', 2 + 6 * u);
      add('latency_ms', 0.5 * u * base.lat);
      add('cpu', -10 * u);
      break;
    case 'data_corruption':
      add('error_rate', 1 + 1.5 * u);
      add('mem', (rng.next() < 0.5 ? 1 : -1) * (5 + 5 * u));
      break;
  }
}

/** The metrics while the fault lasts. */
function broken(type: FaultType, r: Row, base: { lat: number }, rng: Rng): void {
  switch (type) {
    case 'resource_exhaustion':
      r.mem = 97 + rng.normal();
      r.cpu = (r.cpu ?? 0) + 25;
      break;
    case 'performance_degradation':
      r.latency_ms = 4 * base.lat * (1 + 0.1 * rng.normal());
      break;
    case 'node_failure':
      r.cpu = null;
      r.mem = null;
      r.latency_ms = null;
      r.error_rate = 25 + rng.normal();
      break;
    case 'network_partition':
      r.latency_ms = 10 * base.lat;
      r.error_rate = 15 + rng.normal();
      break;
    case 'service_unavailability':
      r.error_rate = 50 + 2 * rng.normal();
      r.cpu = 2;
      break;
    case 'data_corruption':
      r.error_rate = 8 + rng.normal();
      break;
  }
}

export function generateSamples(opts: SyntheticOptions): SyntheticData {
  const o = { ...SYNTHETIC_DEFAULTS, ...opts };
  const rng = createRng(o.seed);
  const points: MetricPoint[] = [];
  const faults: FaultSample[] = [];
  for (let s = 0; s < o.sources; s++) {
    const source = `node-${s + 1}`;
    const base = { cpu: 30 + 20 * rng.next(), mem: 45 + 15 * rng.next(), lat: 80 + 80 * rng.next() };
    const phase = 2 * Math.PI * rng.next();
    // fault schedule: [precursorStart, start, end) in rows
    const plan: { type: FaultType; p0: number; f0: number; f1: number }[] = [];
    let i = 30 + Math.floor(rng.next() * o.meanGap);
    for (;;) {
      const p0 = i;
      const f0 = p0 + o.precursorSteps;
      const f1 = f0 + o.faultSteps;
      if (f1 >= o.steps) break;
      plan.push({ type: rng.pick(o.faultTypes), p0, f0, f1 });
      i = f1 + Math.max(o.precursorSteps + 5, Math.round(o.meanGap * (0.6 + 0.8 * rng.next())));
    }
    let drift = 0;
    let k = 0;
    for (let t = 0; t < o.steps; t++) {
      const ts = o.start + t * o.stepMs;
      const day = (2 * Math.PI * t * o.stepMs) / 86_400_000 + phase;
      drift = 0.98 * drift + 0.3 * rng.normal();
      const r: Row = {
        cpu: base.cpu + 8 * Math.sin(day) + 2 * rng.normal(),
        mem: base.mem + drift + 1.2 * rng.normal(),
        latency_ms: base.lat * (1 + 0.1 * Math.sin(day)) + 4 * rng.normal(),
        error_rate: 0.5 + 0.15 * Math.abs(rng.normal()),
      };
      while (k < plan.length && t >= (plan[k] as (typeof plan)[number]).f1) k++;
      const f = plan[k];
      if (f && t >= f.p0 && t < f.f0) precursor(f.type, r, (t - f.p0 + 1) / o.precursorSteps, base, rng);
      else if (f && t >= f.f0 && t < f.f1) broken(f.type, r, base, rng);
      for (const metric of SYNTHETIC_METRICS) {
        let value = r[metric];
        if (value !== null && rng.next() < o.missingRate) value = null;
        points.push({ v: SCHEMA_VERSION, ts, source, metric, value });
      }
    }
    for (const f of plan) {
      faults.push({
        v: SCHEMA_VERSION,
        source,
        start: o.start + f.f0 * o.stepMs,
        end: o.start + (f.f1 - 1) * o.stepMs,
        type: f.type,
        severity: 'critical',
      });
    }
  }
  points.sort((a, b) => a.ts - b.ts || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  faults.sort((a, b) => a.start - b.start);
  return {
    points,
    faults,
    metrics: [...SYNTHETIC_METRICS],
    horizonMs: o.precursorSteps * o.stepMs,
    stepMs: o.stepMs,
  };
}

/** Write the samples in the documented file format: `<dir>/metrics.jsonl` and `<dir>/faults.jsonl`. */
export async function writeSamples(dir: string, data: SyntheticData): Promise<{ metrics: string; faults: string }> {
  await mkdir(dir, { recursive: true });
  const metrics = join(dir, 'metrics.jsonl');
  const faults = join(dir, 'faults.jsonl');
  await writeFile(metrics, data.points.map((p) => JSON.stringify(p)).join('\n') + '\n');
  await writeFile(faults, data.faults.map((f) => JSON.stringify(f)).join('\n') + '\n');
  return { metrics, faults };
}
