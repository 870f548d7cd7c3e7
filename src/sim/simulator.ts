import type { MetricPoint } from '../contracts/metric.js';
import { SCHEMA_VERSION } from '../contracts/version.js';
import { createRng } from './random.js';

/** How one simulated metric behaves when nothing is wrong. */
export interface MetricProfile {
  name: string;
  /** daily mean level */
  base: number;
  /** daily swing (peak above base, in the afternoon) */
  amplitude: number;
  /** standard deviation of the noise */
  noise: number;
  min?: number;
  max?: number;
}

export const DEFAULT_PROFILES: MetricProfile[] = [
  { name: 'cpu', base: 45, amplitude: 20, noise: 2, min: 0, max: 100 },
  { name: 'latency_ms', base: 120, amplitude: 35, noise: 6, min: 0 },
  { name: 'error_rate', base: 0.5, amplitude: 0.2, noise: 0.04, min: 0 },
];

export type FaultKind = 'spike' | 'shift' | 'drift';

/** A fault the simulator injected: the ground truth a demo or test can check detections against. */
export interface InjectedFault {
  kind: FaultKind;
  source: string;
  metric: string;
  /** data time of the first and last affected points */
  startTs: number;
  endTs: number;
  /** peak deviation in units of the metric's noise σ */
  sigmas: number;
}

export interface SimOptions {
  seed?: number;
  sources?: string[];
  profiles?: MetricProfile[];
  /** data time of the first tick (epoch ms); default 2024-01-01T00:00:00Z */
  start?: number;
  /** data time between ticks; default 60 s */
  stepMs?: number;
  /** ticks before the first fault (detectors warm up); default 90 */
  firstFaultAt?: number;
  /** ticks between the end of one fault and the start of the next: [min, max]; default [60, 240] */
  faultGap?: [number, number];
}

export interface Simulator {
  /** the points of the next tick: one per source × metric, all with the same data time */
  tick(): MetricPoint[];
  /** faults injected so far (including one in progress) */
  readonly faults: readonly InjectedFault[];
  /** data time of the next tick */
  readonly nextTs: number;
}

interface ActiveFault {
  fault: InjectedFault;
  /** ticks into the fault and its length */
  at: number;
  length: number;
}

const DAY = 86_400_000;

/**
 * A deterministic demo load: a few sources × metrics with daily seasonality and Gaussian noise,
 * and one injected fault at a time on a random series — a spike (one point), a level shift, or a
 * drift (a ramp up then back). Timestamps are data time (start + i × step), never the wall clock;
 * the same seed gives exactly the same points and faults.
 */
export function createSimulator(opts: SimOptions = {}): Simulator {
  const rng = createRng(opts.seed ?? 42);
  const sources = opts.sources ?? ['web-1', 'web-2', 'db-1'];
  const profiles = opts.profiles ?? DEFAULT_PROFILES;
  const start = opts.start ?? Date.UTC(2024, 0, 1);
  const step = opts.stepMs ?? 60_000;
  const [gapMin, gapMax] = opts.faultGap ?? [60, 240];
  const faults: InjectedFault[] = [];
  let i = 0;
  let nextFaultAt = opts.firstFaultAt ?? 90;
  let active: ActiveFault | undefined;

  function startFault(ts: number): ActiveFault {
    const kind = rng.pick<FaultKind>(['spike', 'spike', 'shift', 'drift']);
    const source = rng.pick(sources);
    const profile = rng.pick(profiles);
    const length = kind === 'spike' ? 1 : kind === 'shift' ? rng.int(20, 60) : rng.int(30, 60);
    const sigmas = kind === 'spike' ? 10 + rng.next() * 5 : kind === 'shift' ? 6 + rng.next() * 3 : 10 + rng.next() * 4;
    const fault: InjectedFault = {
      kind,
      source,
      metric: profile.name,
      startTs: ts,
      endTs: ts + (length - 1) * step,
      sigmas,
    };
    faults.push(fault);
    return { fault, at: 0, length };
  }

  /** deviation of the active fault at its current tick, in σ */
  function deviation(a: ActiveFault): number {
    const { kind, sigmas } = a.fault;
    if (kind !== 'drift') return sigmas;
    const half = a.length / 2;
    return sigmas * (a.at < half ? (a.at + 1) / half : (a.length - a.at) / half);
  }

  return {
    get faults() {
      return faults;
    },
    get nextTs() {
      return start + i * step;
    },
    tick() {
      const ts = start + i * step;
      if (!active && i >= nextFaultAt) active = startFault(ts);
      const phase = (2 * Math.PI * (ts % DAY)) / DAY;
      const points: MetricPoint[] = [];
      for (const source of sources) {
        for (const p of profiles) {
          // peak around 15:00 UTC
          let value = p.base + p.amplitude * Math.sin(phase - Math.PI / 2 - Math.PI / 4) + p.noise * rng.normal();
          if (active && active.fault.source === source && active.fault.metric === p.name) {
            value += deviation(active) * p.noise;
          }
          if (p.min !== undefined) value = Math.max(p.min, value);
          if (p.max !== undefined) value = Math.min(p.max, value);
          points.push({ v: SCHEMA_VERSION, ts, source, metric: p.name, value: Math.round(value * 1e4) / 1e4 });
        }
      }
      if (active) {
        active.at++;
        if (active.at >= active.length) {
          active = undefined;
          nextFaultAt = i + 1 + rng.int(gapMin, gapMax);
        }
      }
      i++;
      return points;
    },
  };
}
