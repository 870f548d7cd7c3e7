import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Strategy } from '../../../src/contracts/index.js';
import { StrategyLearner } from '../../../src/heal/index.js';
import { createRng } from '../../../src/sim/random.js';

const M = 60_000;

describe('StrategyLearner (Thompson sampling)', () => {
  it('converges to the better strategy', () => {
    const l = new StrategyLearner({ seed: 3, ttrScaleMs: M });
    const world = createRng(11);
    const truth: Record<string, number> = { restart: 0.3, reallocate: 0.8, failover: 0.5 };
    const picks: string[] = [];
    for (let i = 0; i < 400; i++) {
      const c = l.choose('performance_degradation', ['restart', 'reallocate', 'failover']);
      picks.push(c.strategy);
      l.record('performance_degradation', c.strategy, world.next() < (truth[c.strategy] as number), 30_000);
    }
    const last = picks.slice(-100);
    const share = last.filter((s) => s === 'reallocate').length / last.length;
    expect(share).toBeGreaterThan(0.8);
    const st = l.stats('performance_degradation', 'reallocate');
    expect(st.successes + st.failures).toBeGreaterThan(250);
  });

  it('among equally reliable strategies, prefers the faster recovery', () => {
    const l = new StrategyLearner({ seed: 5, ttrScaleMs: M });
    for (let i = 0; i < 50; i++) {
      l.record('node_failure', 'restart', true, 10 * M);
      l.record('node_failure', 'failover', true, 5_000);
    }
    const picks = Array.from({ length: 50 }, () => l.choose('node_failure', ['restart', 'failover']).strategy);
    expect(picks.filter((p) => p === 'failover').length).toBeGreaterThan(45);
  });

  it('never picks outside the allowed set (property), and is deterministic for a seed and key', () => {
    const all = Strategy.options;
    fc.assert(
      fc.property(
        fc.subarray(all, { minLength: 1 }),
        fc.array(fc.tuple(fc.constantFrom(...all), fc.boolean()), { maxLength: 60 }),
        fc.integer(),
        (allowed, history, seed) => {
          const l = new StrategyLearner({ seed, ttrScaleMs: M });
          for (const [s, ok] of history) l.record('resource_exhaustion', s, ok, 1000);
          for (let i = 0; i < 5; i++) {
            const c = l.choose('resource_exhaustion', allowed);
            expect(allowed).toContain(c.strategy);
            expect(Object.keys(c.samples).sort()).toEqual([...allowed].sort());
          }
          const a = l.choose('resource_exhaustion', allowed, 'flt-x:1').strategy;
          const b = l.choose('resource_exhaustion', allowed, 'flt-x:1').strategy;
          expect(a).toBe(b);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
    expect(() => new StrategyLearner({ seed: 1, ttrScaleMs: M }).choose('node_failure', [])).toThrow(RangeError);
  });

  it('snapshots and restores its statistics', () => {
    const l = new StrategyLearner({ seed: 1, ttrScaleMs: M });
    l.record('node_failure', 'restart', true, 2000);
    l.record('node_failure', 'restart', false);
    const copy = new StrategyLearner({ seed: 1, ttrScaleMs: M });
    copy.restore(l.snapshot());
    expect(copy.stats('node_failure', 'restart')).toEqual({ successes: 1, failures: 1, ttrSumMs: 2000, ttrCount: 1 });
  });
});
