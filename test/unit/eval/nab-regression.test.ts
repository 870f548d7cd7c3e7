import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { streamCorpus } from '../../../bench/nab/stream.js';
import { summarize } from '../../../bench/nab/summary.js';
import { loadPipeline } from '../../../src/config/load.js';
import { defaultDetectorConfig } from '../../../src/detect/index.js';
import { loadCorpus, scoreCorpus } from '../../../src/eval/nab/index.js';
import { nabDir, PROJECT_ROOT } from './nab-dir.js';

// the whole corpus (≈47 MB of CSV, 365,558 rows) through the default ensemble: a few seconds
vi.setConfig({ testTimeout: 120_000 });

interface Baseline {
  standard: number;
  reward_low_FP_rate: number;
  reward_low_FN_rate: number;
  tolerance: number;
}

const baseline = JSON.parse(readFileSync(join(PROJECT_ROOT, 'bench/nab/baseline.json'), 'utf8')) as Baseline;
let summary: ReturnType<typeof summarize>;

beforeAll(() => {
  const corpus = loadCorpus(nabDir());
  const pipeline = loadPipeline(join(PROJECT_ROOT, 'pipelines/default.yaml'), { env: {} });
  const run = streamCorpus(corpus, { detectors: pipeline.detectors, ensemble: pipeline.ensemble, alarms: [] });
  summary = summarize('faultline', scoreCorpus(corpus, run.anomalies));
}, 120_000);

/**
 * Regression guard (issue 3, item 5): the default ensemble, streamed over the whole NAB corpus
 * exactly as `npm run bench:nab` does, must not score more than `tolerance` (1) point below the
 * last accepted standard-profile figure recorded in bench/nab/baseline.json.
 */
describe('NAB regression guard (default ensemble, whole corpus)', () => {
  it('the default pipeline runs the tuned default detectors (what the baseline measured)', () => {
    const p = loadPipeline(join(PROJECT_ROOT, 'pipelines/default.yaml'), { env: {} });
    expect({ detectors: p.detectors, ensemble: p.ensemble }).toEqual({
      detectors: defaultDetectorConfig().detectors,
      ensemble: defaultDetectorConfig().ensemble,
    });
  });

  it(`standard profile stays within ${baseline.tolerance} point of the accepted ${baseline.standard}`, () => {
    const got = summary.standard;
    const msg =
      `NAB standard ${got.toFixed(4)} (low-FP ${summary.reward_low_FP_rate.toFixed(2)}, ` +
      `low-FN ${summary.reward_low_FN_rate.toFixed(2)}) vs accepted ${baseline.standard} ` +
      `(${baseline.reward_low_FP_rate} / ${baseline.reward_low_FN_rate}) in bench/nab/baseline.json`;
    expect(got, msg).toBeGreaterThanOrEqual(baseline.standard - baseline.tolerance);
  });

  it('all three profiles are finite and within 0–100', () => {
    for (const v of [summary.standard, summary.reward_low_FP_rate, summary.reward_low_FN_rate]) {
      expect(Number.isFinite(v)).toBe(true);
      expect(v).toBeLessThanOrEqual(100);
    }
  });
});
