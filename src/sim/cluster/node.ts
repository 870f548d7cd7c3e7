import { createRng, type Rng } from '../random.js';
import type { KindProfile } from './profiles.js';
import type { GroupSpec, NodeSpec } from './topology.js';

/** Noise draws per node per step (always all of them, so one node's state never shifts another's noise). */
export interface Noise {
  cpu: number;
  mem: number;
  disk: number;
  latency: number;
  errors: number;
  loss: number;
  lossBlip: number;
}

/**
 * The mutable state of one simulated node: slow drifts (Ornstein–Uhlenbeck, exact for any step), what
 * is wrong with it (each condition names the fault that caused it), and its place in the load balancer.
 */
export class NodeState {
  readonly rng: Rng;
  /** slow drifts: memory (% points), cpu (% points), latency (relative) */
  memDrift = 0;
  cpuDrift = 0;
  latDrift = 0;
  /** down (restarting or being rebuilt) until this data time */
  downUntil = Number.NEGATIVE_INFINITY;
  /** crashed (down until restarted or replaced): the fault id */
  crashed: string | undefined;
  leak: { fault: string; rate: number; since: number; impactAt: number } | undefined;
  diskFill: { fault: string; rate: number; since: number; impactAt: number; full: boolean } | undefined;
  surge: { fault: string; until: number } | undefined;
  spike: { fault: string; factor: number; until: number } | undefined;
  partition: { fault: string; since: number; until: number } | undefined;
  /** load balancer weight (pooled groups); 0 = drained */
  weight = 1;
  /** drained until the partition heals */
  drainedForPartition = false;
  /** extra load moved here by a reallocation, and until when */
  extraLoad = 0;
  extraLoadUntil = Number.NEGATIVE_INFINITY;
  /** since when the node has not been serving (for health-check ejection); undefined = serving */
  unservingSince: number | undefined;

  constructor(
    readonly spec: NodeSpec,
    readonly group: GroupSpec,
    readonly profile: KindProfile,
    seed: number,
  ) {
    this.rng = createRng(seed);
  }

  isDown(ts: number): boolean {
    return this.crashed !== undefined || ts < this.downUntil;
  }

  isRestarting(ts: number): boolean {
    return this.crashed === undefined && ts < this.downUntil;
  }

  reachable(): boolean {
    return this.partition === undefined;
  }

  serving(ts: number): boolean {
    return !this.isDown(ts) && this.reachable();
  }

  /** Advances the drifts by `dtMs` and draws this step's noise. */
  advance(dtMs: number): Noise {
    const r = this.rng;
    const ou = (x: number, tauMs: number, sigma: number) => {
      const a = Math.exp(-dtMs / tauMs);
      return x * a + sigma * Math.sqrt(1 - a * a) * r.normal();
    };
    this.memDrift = ou(this.memDrift, 2 * 3_600_000, this.profile.memDrift);
    this.cpuDrift = ou(this.cpuDrift, 1_800_000, this.profile.cpuNoise);
    this.latDrift = ou(this.latDrift, 1_800_000, 0.03);
    return {
      cpu: r.normal(),
      mem: r.normal(),
      disk: r.normal(),
      latency: r.normal(),
      errors: r.normal(),
      loss: r.normal(),
      lossBlip: r.next(),
    };
  }
}
