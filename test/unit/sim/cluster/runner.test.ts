import { describe, expect, it } from 'vitest';
import { runChaos } from '../../../../src/sim/cluster/runner.js';

describe('runChaos (in process, simulated time)', () => {
  it('the quick scenario: every fault detected and recovered by an action, no duplicate or wrong action', async () => {
    const r = await runChaos({ scenario: 'quick', seed: 1 });
    const s = r.scorecard;
    expect(s.faults_injected).toBe(6);
    expect(s.faults_detected).toBe(6);
    expect(r.cluster.faults().map((f) => f.recoveredBy)).toEqual(Array(6).fill('action'));
    expect(s.recovered_automatically).toBe(1);
    expect(s.duplicate_actions).toBe(0);
    expect(s.duplicate_deliveries).toBe(0);
    expect(s.wrong_actions).toBe(0);
    expect(s.exhaustion_acted_before_impact).toBe(1);
    // every executed action in the audit reached the cluster exactly once
    const executed = r.records.filter((x) => x.kind === 'action' && x.action.decision === 'executed');
    expect(executed.map((x) => (x.kind === 'action' ? x.action.id : ''))).toEqual(r.cluster.actions().map((a) => a.id));
  }, 60_000);
});
