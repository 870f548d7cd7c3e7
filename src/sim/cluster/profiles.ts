import type { ServiceKind } from './topology.js';

/**
 * The metrics every node reports, in the order a scrape emits them:
 *  up           1 when the service answered its scrape, 0 when it did not (synthesised by the scraper)
 *  packet_loss  % of probes from the monitoring side that got no answer (a blackbox probe of the host)
 *  mem, disk    % used; cpu % busy (host metrics, missing while the node is down or unreachable)
 *  latency_ms   server-side request latency, including the time spent in the services it calls
 *  error_rate   % of requests answered with an error (its own failures and those of what it calls)
 */
export const CLUSTER_METRICS = ['up', 'packet_loss', 'mem', 'disk', 'cpu', 'latency_ms', 'error_rate'] as const;
export type ClusterMetric = (typeof CLUSTER_METRICS)[number];

/** How one kind of service behaves when nothing is wrong. Levels are at nominal load (load factor 1). */
export interface KindProfile {
  /** cpu % when idle and at nominal load; noise σ */
  cpuIdle: number;
  cpuNominal: number;
  cpuNoise: number;
  /** memory % (daily swing, noise σ, slow drift σ) */
  mem: number;
  memSwing: number;
  memNoise: number;
  memDrift: number;
  /** disk % (daily swing, noise σ) */
  disk: number;
  diskSwing: number;
  diskNoise: number;
  /** own request latency (ms) at nominal load, relative noise σ */
  latency: number;
  latencyNoise: number;
  /** share of requests that wait for the services it calls (a cache: its misses) */
  callShare: number;
  /** baseline error % and its noise σ */
  errors: number;
  errorNoise: number;
  /** data time a restart takes (down meanwhile) */
  restartMs: number;
}

export const PROFILES: Record<ServiceKind, KindProfile> = {
  db: {
    cpuIdle: 5,
    cpuNominal: 38,
    cpuNoise: 1.5,
    mem: 62,
    memSwing: 4,
    memNoise: 0.3,
    memDrift: 0.6,
    disk: 58,
    diskSwing: 0.8,
    diskNoise: 0.05,
    latency: 4,
    latencyNoise: 0.06,
    callShare: 0,
    errors: 0.05,
    errorNoise: 0.01,
    restartMs: 8_000,
  },
  queue: {
    cpuIdle: 4,
    cpuNominal: 26,
    cpuNoise: 1.2,
    mem: 44,
    memSwing: 3,
    memNoise: 0.3,
    memDrift: 0.5,
    disk: 41,
    diskSwing: 1.5,
    diskNoise: 0.05,
    latency: 6,
    latencyNoise: 0.06,
    callShare: 0,
    errors: 0.05,
    errorNoise: 0.01,
    restartMs: 6_000,
  },
  cache: {
    cpuIdle: 3,
    cpuNominal: 22,
    cpuNoise: 1.2,
    mem: 70,
    memSwing: 2,
    memNoise: 0.2,
    memDrift: 0.4,
    disk: 22,
    diskSwing: 0.2,
    diskNoise: 0.03,
    latency: 1.2,
    latencyNoise: 0.06,
    callShare: 0.1,
    errors: 0.02,
    errorNoise: 0.005,
    restartMs: 4_000,
  },
  api: {
    cpuIdle: 6,
    cpuNominal: 46,
    cpuNoise: 2,
    mem: 52,
    memSwing: 6,
    memNoise: 0.4,
    memDrift: 0.8,
    disk: 31,
    diskSwing: 0.3,
    diskNoise: 0.03,
    latency: 95,
    latencyNoise: 0.05,
    callShare: 1,
    errors: 0.3,
    errorNoise: 0.05,
    restartMs: 3_000,
  },
  worker: {
    cpuIdle: 5,
    cpuNominal: 55,
    cpuNoise: 2.5,
    mem: 57,
    memSwing: 5,
    memNoise: 0.4,
    memDrift: 0.8,
    disk: 27,
    diskSwing: 0.4,
    diskNoise: 0.03,
    latency: 280,
    latencyNoise: 0.05,
    callShare: 1,
    errors: 0.4,
    errorNoise: 0.06,
    restartMs: 3_000,
  },
};

const DAY = 86_400_000;

/**
 * The daily shape of traffic: 1 on average, highest around 15:00 UTC, lowest around 03:00, with a
 * smaller evening bump. Memory and disk follow it more gently.
 */
export function dailyLoad(ts: number): number {
  const phase = (2 * Math.PI * (((ts % DAY) + DAY) % DAY)) / DAY;
  return 1 + 0.3 * Math.sin(phase - (3 * Math.PI) / 4) + 0.08 * Math.sin(2 * phase);
}
