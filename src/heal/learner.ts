import type { Strategy } from '../contracts/action.js';
import type { FaultType } from '../contracts/fault.js';
import { createRng, type Rng } from '../sim/random.js';
import { sampleBeta } from './sampling.js';

/** What the learner knows about one fault type × strategy. */
export interface ArmStats {
  successes: number;
  failures: number;
  /** sum and count of times to recover of successes (data time, ms) */
  ttrSumMs: number;
  ttrCount: number;
}

export interface LearnerChoice {
  strategy: Strategy;
  /** each candidate's sampled score, for the audit */
  samples: Partial<Record<Strategy, number>>;
  reason: string;
}

export interface LearnerSnapshot {
  arms: Record<string, ArmStats>;
}

const key = (type: FaultType, s: Strategy) => `${type}:${s}`;

/** FNV-1a, 32 bits. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Thompson sampling over success/failure per fault type × strategy: each candidate's success
 * probability is drawn from Beta(1 + successes, 1 + failures), scaled down by its mean time to recover
 * (score × ttrScale / (ttrScale + mean TTR)), and the best draw wins. The RNG is seeded, so the same
 * history gives the same choices. `choose` only ever returns one of the candidates it is given.
 */
export class StrategyLearner {
  private readonly arms = new Map<string, ArmStats>();
  private readonly rng: Rng;

  constructor(private readonly opts: { seed: number; ttrScaleMs: number }) {
    this.rng = createRng(opts.seed);
  }

  /**
   * Draws once per candidate and returns the best. With `key` (e.g. fault id and attempt) the draw uses
   * an RNG seeded from (seed, key): engines with the same history choose the same strategy for the same
   * decision, so a standby that takes over re-derives the same action (and the same action id).
   */
  choose(type: FaultType, candidates: readonly Strategy[], key?: string): LearnerChoice {
    if (candidates.length === 0) throw new RangeError('StrategyLearner.choose: no candidate strategies');
    const rng = key === undefined ? this.rng : createRng(hash32(`${this.opts.seed}:${key}`));
    const samples: Partial<Record<Strategy, number>> = {};
    let best = candidates[0] as Strategy;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const s of candidates) {
      const a = this.stats(type, s);
      const p = sampleBeta(rng, 1 + a.successes, 1 + a.failures);
      const ttr = a.ttrCount > 0 ? a.ttrSumMs / a.ttrCount : 0;
      const score = p * (this.opts.ttrScaleMs / (this.opts.ttrScaleMs + ttr));
      samples[s] = Number(score.toFixed(4));
      if (score > bestScore) {
        best = s;
        bestScore = score;
      }
    }
    const a = this.stats(type, best);
    return {
      strategy: best,
      samples,
      reason: `learner (Thompson sampling): ${best} drew ${bestScore.toFixed(3)} among ${candidates.join(', ')}; ${type}×${best} ${a.successes} ok / ${a.failures} failed so far`,
    };
  }

  record(type: FaultType, strategy: Strategy, success: boolean, timeToRecoverMs?: number | null): void {
    const a = this.stats(type, strategy);
    const next: ArmStats = { ...a };
    if (success) {
      next.successes += 1;
      if (typeof timeToRecoverMs === 'number' && Number.isFinite(timeToRecoverMs) && timeToRecoverMs >= 0) {
        next.ttrSumMs += timeToRecoverMs;
        next.ttrCount += 1;
      }
    } else {
      next.failures += 1;
    }
    this.arms.set(key(type, strategy), next);
  }

  stats(type: FaultType, strategy: Strategy): ArmStats {
    return this.arms.get(key(type, strategy)) ?? { successes: 0, failures: 0, ttrSumMs: 0, ttrCount: 0 };
  }

  snapshot(): LearnerSnapshot {
    return { arms: Object.fromEntries([...this.arms].map(([k, v]) => [k, { ...v }])) };
  }

  restore(s: LearnerSnapshot): void {
    this.arms.clear();
    for (const [k, v] of Object.entries(s.arms)) this.arms.set(k, { ...v });
  }
}
