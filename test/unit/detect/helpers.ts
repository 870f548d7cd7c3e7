import { AlarmRule } from '../../../src/config/pipeline.js';
import { DetectorConfig } from '../../../src/detect/config.js';
import type { Detector } from '../../../src/detect/detector.js';
import { createDetector } from '../../../src/detect/registry.js';

/** deterministic PRNG (mulberry32) */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** standard normal samples (Box–Muller) */
export function gauss(seed: number): () => number {
  const r = rng(seed);
  return () => {
    const u = 1 - r();
    const v = r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export const T0 = Date.UTC(2024, 0, 1);
export const STEP = 5 * 60_000;
/** 3 days of 5-minute points: enough for every detector (seasonal needs 2 cycles) */
export const N_READY = 3 * 288;

export const KINDS = ['zscore', 'robust', 'holt', 'seasonal', 'cusum', 'range'] as const;
export type Kind = (typeof KINDS)[number];

/**
 * Every detector configuration the behaviour checks run on: each kind with its defaults, each
 * residual detector with record calibration, and the robust detector with its short view — with
 * the alarm threshold that means "clearly anomalous" on its scale: 0.5 on the Gaussian scale
 * (≈ 4.4σ); on the record scale 0.8 (the default rule: ≈ 1.5 × the series' record deviation), and
 * 0.6 for range (a 6σ spike in Gaussian noise lands ≈ 40 % of the ±3.3σ range beyond it: ≈ 0.73).
 */
export type Case = [label: string, config: Record<string, unknown>, threshold: number];
export const CASES: Case[] = [
  ...KINDS.map((kind): Case => [kind, { kind }, kind === 'range' ? 0.6 : 0.5]),
  ...(['zscore', 'robust', 'holt', 'seasonal'] as const).map(
    (kind): Case => [`${kind} (record)`, { kind, calibrate: 'record' }, 0.8],
  ),
  ['robust (record, short view)', { kind: 'robust', calibrate: 'record', short: { window: 16 } }, 0.8],
];

export function detectorConfig(kind: Kind, extra: Record<string, unknown> = {}): DetectorConfig {
  return DetectorConfig.parse({ kind, ...extra });
}

export function makeDetector(kind: Kind, extra: Record<string, unknown> = {}): Detector<unknown> {
  return createDetector(detectorConfig(kind, extra));
}

/** a detector from a full (YAML-shaped) config */
export function makeFrom(config: Record<string, unknown>): Detector<unknown> {
  return createDetector(DetectorConfig.parse(config));
}

export function rule(extra: Record<string, unknown> = {}): AlarmRule {
  return AlarmRule.parse({ name: 'anomaly', threshold: 0.5, ...extra });
}

/** copy of a detector output (detectors reuse their output object) */
export function snap(o: { score: number; z: number; expected: number; spread: number; status: string }) {
  return [o.score, o.z, o.expected, o.spread, o.status] as const;
}
