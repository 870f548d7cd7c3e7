import { describe, expect, it } from 'vitest';
import { DependencyGraph, parseHealConfig, recoveryPlan, supervisionSet } from '../../../src/heal/index.js';

const cfg = parseHealConfig({
  services: {
    db: { dependsOn: [] },
    queue: { dependsOn: ['db'] },
    api: { dependsOn: ['db', 'queue'] },
    worker: { dependsOn: ['queue'] },
    web: { dependsOn: ['api'] },
  },
  groups: [
    { name: 'solo', members: ['a', 'b', 'c'], supervision: 'one_for_one' },
    { name: 'tight', members: ['x', 'y', 'z'], supervision: 'all_for_one' },
    { name: 'chain', members: ['p1', 'p2', 'p3', 'p4'], supervision: 'rest_for_one' },
    // start order deliberately wrong: the dependency graph fixes the recovery order
    { name: 'backend', members: ['api', 'queue', 'db'], supervision: 'all_for_one', restartDependents: true },
  ],
});
const graph = new DependencyGraph(cfg.services);
const group = (n: string) => cfg.groups.find((g) => g.name === n);

describe('supervision (OTP restart strategies)', () => {
  it('one_for_one restarts only the failed member', () => {
    expect(supervisionSet(group('solo'), 'b')).toEqual(['b']);
  });
  it('all_for_one restarts the whole group in start order', () => {
    expect(supervisionSet(group('tight'), 'y')).toEqual(['x', 'y', 'z']);
  });
  it('rest_for_one restarts the failed member and those started after it', () => {
    expect(supervisionSet(group('chain'), 'p2')).toEqual(['p2', 'p3', 'p4']);
    expect(supervisionSet(group('chain'), 'p4')).toEqual(['p4']);
  });
  it('a target in no group is its own set', () => {
    expect(supervisionSet(undefined, 'lonely')).toEqual(['lonely']);
  });
  it('recovery plans order by the dependency graph: the database before what uses it, then dependents', () => {
    const plan = recoveryPlan(group('backend'), graph, 'queue');
    expect(plan.targets).toEqual(['db', 'queue', 'api', 'web', 'worker']);
    plan.targets.forEach((t, i) => {
      for (const d of graph.allDependencies(t)) expect(plan.targets.indexOf(d)).toBeLessThan(i);
    });
    expect(plan.reasons.join('\n')).toMatch(/all_for_one/);
    expect(plan.reasons.join('\n')).toMatch(/dependency order/);
  });
  it('one_for_one on a group with no dependents is the target alone', () => {
    expect(recoveryPlan(group('solo'), graph, 'c').targets).toEqual(['c']);
  });
});
