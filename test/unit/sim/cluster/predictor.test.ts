import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../../../src/sim/cluster/cluster.js';
import { PredictorWarnings } from '../../../../src/sim/cluster/predictor.js';
import type { Warning } from '../../../../src/sim/cluster/scorecard.js';
import { buildTopology } from '../../../../src/sim/cluster/topology.js';
import { projectRoot } from '../../../../src/sim/project-root.js';
import { MIN } from './helpers.js';

// The shipped cluster predictor (models/chaos-predictor, trained on `faultline chaos --write-history`
// data of seed 1001) on a cluster it never saw (seed 77).
let w: PredictorWarnings;
beforeAll(async () => {
  w = await PredictorWarnings.load(resolve(projectRoot(), 'models'), 'chaos-predictor');
}, 60_000);
afterAll(() => w?.dispose());

describe('PredictorWarnings (models/chaos-predictor)', () => {
  it('warns of a memory leak minutes before the OOM, and not about healthy nodes', () => {
    const c = new Cluster({ topology: buildTopology(), seed: 77 });
    const start = Date.UTC(2024, 0, 5, 6);
    const leakAt = start + 3 * 60 * MIN;
    const seen: Warning[] = [];
    let impactAt = Number.POSITIVE_INFINITY;
    for (let ts = start; ts < Math.min(impactAt, start + 5 * 60 * MIN); ts += MIN) {
      if (ts === leakAt)
        impactAt = c.inject({ kind: 'memory_leak', at: ts, target: 'api-2', toImpactMs: 15 * MIN }).impactAt;
      w.push(c.step(ts));
      seen.push(...w.drain().filter((x) => x.p >= w.threshold));
    }
    expect(w.metric).toBe('predicted_resource_exhaustion');
    const onLeak = seen.filter((x) => x.source === 'api-2' && x.ts >= leakAt);
    expect(onLeak.length).toBeGreaterThan(0);
    expect(impactAt - (onLeak[0] as Warning).ts).toBeGreaterThanOrEqual(5 * MIN);
    expect(seen.filter((x) => x.source !== 'api-2' || x.ts < leakAt)).toEqual([]);
  }, 60_000);
});
