import { describe, expect, it } from 'vitest';
import { selectDetectors } from '../../../bench/nab/select.js';
import { summarize } from '../../../bench/nab/summary.js';
import { PipelineConfig } from '../../../src/config/pipeline.js';
import { NAB_PROFILES, type ProfileResult } from '../../../src/eval/nab/index.js';

const pipeline = PipelineConfig.parse({
  name: 't',
  detectors: [{ kind: 'zscore', weight: 2 }, { kind: 'robust', name: 'fast-robust', window: 16 }, { kind: 'cusum' }],
  ensemble: { combine: 'second' },
  alarms: [{ name: 'a', threshold: 0.5 }],
});

describe('bench:nab --detector selection', () => {
  it('no name: the whole ensemble', () => {
    expect(selectDetectors(pipeline).detectors).toHaveLength(3);
  });
  it('by name or kind: that detector alone, weight 1, same ensemble/alarms', () => {
    const byName = selectDetectors(pipeline, 'fast-robust');
    expect(byName.detectors).toEqual([{ ...pipeline.detectors[1], weight: 1 }]);
    expect(byName.ensemble).toEqual(pipeline.ensemble);
    expect(selectDetectors(pipeline, 'zscore').detectors[0]).toMatchObject({ kind: 'zscore', weight: 1 });
  });
  it('a kind not in the pipeline runs with its defaults; an unknown name is an error', () => {
    expect(selectDetectors(pipeline, 'holt').detectors[0]).toMatchObject({ kind: 'holt', alpha: 0.3 });
    expect(() => selectDetectors(pipeline, 'nope')).toThrow(/unknown detector "nope"/);
  });
});

describe('bench:nab summary', () => {
  it('has the three normalised profile scores at the top level', () => {
    const results = NAB_PROFILES.map(
      (profile, i): ProfileResult => ({
        profile,
        threshold: 0.5,
        thresholdSource: 'sweep',
        raw: i,
        normalized: 50 + i,
        totals: { score: i, tp: 1, tn: 1, fp: 1, fn: 1, total: 4, windows: 2, windowsHit: 1 },
        files: [],
        categories: [],
      }),
    );
    const s = summarize('x', results);
    expect([s.standard, s.reward_low_FP_rate, s.reward_low_FN_rate]).toEqual([50, 51, 52]);
    expect(s.thresholds).toEqual({ standard: 0.5, reward_low_FP_rate: 0.5, reward_low_FN_rate: 0.5 });
  });
});
