import { describe, expect, it } from 'vitest';
import type { AppliedAction } from '../../../../src/sim/cluster/cluster.js';
import type { FaultTruth } from '../../../../src/sim/cluster/faults.js';
import { computeScorecard } from '../../../../src/sim/cluster/scorecard.js';

const T = 1_000_000;

function truth(p: Partial<FaultTruth> & Pick<FaultTruth, 'id' | 'kind' | 'node' | 'onset'>): FaultTruth {
  return {
    mode: 'pooled',
    primary: false,
    impactAt: p.onset,
    impactedAt: p.onset,
    endsAt: undefined,
    firstFixAt: undefined,
    firstFixStrategy: undefined,
    escalatedAt: undefined,
    recoveredAt: undefined,
    recoveredBy: undefined,
    recoveredWith: undefined,
    ...p,
  };
}

const act = (p: Partial<AppliedAction> & Pick<AppliedAction, 'strategy' | 'target' | 'at' | 'verdict'>) =>
  ({ id: `${p.strategy}-${p.target}-${p.at}`, faultId: 'f', faults: [], reason: '', ...p }) as AppliedAction;

describe('computeScorecard', () => {
  it('counts from the ground truth: recovery, MTTR, exhaustion before impact, wrong and duplicate actions', () => {
    const truths = [
      truth({ id: 'a', kind: 'crash', node: 'api-1', onset: T, recoveredAt: T + 6000, recoveredBy: 'action' }),
      truth({
        id: 'b',
        kind: 'memory_leak',
        node: 'api-2',
        onset: T,
        impactAt: T + 600_000,
        impactedAt: undefined,
        firstFixAt: T + 300_000,
        recoveredAt: T + 303_000,
        recoveredBy: 'action',
      }),
      truth({
        id: 'c',
        kind: 'disk_fill',
        node: 'db-1',
        onset: T,
        impactAt: T + 60_000,
        recoveredAt: T + 4_000,
        recoveredBy: 'operator',
      }),
      truth({ id: 'd', kind: 'partition', node: 'api-3', onset: T, recoveredAt: undefined }),
    ];
    const s = computeScorecard({
      scenario: 'x',
      seed: 1,
      nodes: 4,
      from: T,
      to: T + 1_000_000,
      truths,
      applied: [
        act({ strategy: 'restart', target: 'api-1', at: T + 3000, verdict: 'fix' }),
        act({ strategy: 'restart', target: 'api-2', at: T + 300_000, verdict: 'fix' }),
        act({ strategy: 'restart', target: 'api-2', at: T + 301_000, verdict: 'duplicate' }),
        act({ strategy: 'reallocate', target: 'api-4', at: T + 5000, verdict: 'wrong' }),
        act({ strategy: 'escalate', target: 'db-1', at: T + 2000, verdict: 'page' }),
      ],
      availability: { nodeSeconds: 4000, unavailableNodeSeconds: 2, availability: 0.9995, byNode: { 'api-1': 2 } },
      detections: [
        { source: 'api-1', metric: 'up', ts: T },
        { source: 'api-2', metric: 'mem', ts: T + 120_000 },
        { source: 'api-4', metric: 'cpu', ts: T + 900_000 },
      ],
      duplicateDeliveries: 1,
      related: (n) => [n],
    });
    expect(s.faults_injected).toBe(4);
    expect(s.faults_detected).toBe(2);
    expect(s.exhaustion_faults).toBe(2);
    expect(s.predicted_before_impact).toBe(1);
    expect(s.lead_time_median_s).toBe(480);
    expect(s.recovered_automatically).toBe(0.5);
    expect(s.recovered_by_operator).toBe(1);
    expect(s.not_recovered).toBe(1);
    // MTTR: 6, 303, 4, and 1000 (unrecovered: until the end) -> median 154.5
    expect(s.mttr_median_s).toBe(154.5);
    expect(s.exhaustion_acted_before_impact).toBe(0.5);
    expect(s.actions).toBe(4);
    expect(s.wrong_actions).toBe(1);
    expect(s.duplicate_actions).toBe(1);
    expect(s.duplicate_deliveries).toBe(1);
    expect(s.pages).toBe(1);
    expect(s.false_alarms).toBe(1);
    expect(s.availability).toBe(0.9995);
  });
});
