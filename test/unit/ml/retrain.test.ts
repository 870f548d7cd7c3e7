import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/contracts/outcome.js';
import type { FaultSample } from '../../../src/contracts/samples.js';
import type { EvalReport } from '../../../src/ml/evaluate.js';
import { mergeFaults, outcomeToSample } from '../../../src/ml/import-kafka.js';
import { readDecisions, servedVersion } from '../../../src/ml/promote.js';
import { loadModel } from '../../../src/ml/registry.js';
import { decidePromotion, type RetrainOptions, retrain } from '../../../src/ml/retrain.js';
import { generateSamples, writeSamples } from '../../../src/ml/synthetic.js';
import { runTraining } from '../../../src/ml/train-run.js';
import { tempDir } from './helpers.js';

function report(prAuc: number, f1: number): EvalReport {
  return {
    threshold: 0.5,
    windows: 100,
    positives: 10,
    precision: 0,
    recall: 0,
    f1: 0,
    prAuc,
    events: {
      faults: 5,
      detected: 5,
      alarms: 5,
      falseAlarms: 0,
      precision: 1,
      recall: 1,
      f1,
      meanLeadTimeMs: 1,
      falseAlarmsPerDay: 0,
    },
    days: 1,
  };
}

describe('promotion rule', () => {
  it('promotes a challenger that is not worse on PR-AUC and event F1; refuses one that is worse on either', () => {
    expect(decidePromotion(report(0.8, 0.8), report(0.8, 0.8)).promote).toBe(true); // a tie promotes
    expect(decidePromotion(report(0.8, 0.8), report(0.9, 0.85)).promote).toBe(true);
    const worseAuc = decidePromotion(report(0.8, 0.8), report(0.79, 0.9));
    expect(worseAuc.promote).toBe(false);
    expect(worseAuc.reason).toMatch(/PR-AUC 0\.790 < 0\.800/);
    expect(decidePromotion(report(0.8, 0.8), report(0.9, 0.7)).reason).toMatch(/event F1 0\.700 < 0\.800/);
    // a tolerance absorbs noise
    expect(decidePromotion(report(0.8, 0.8), report(0.79, 0.79), 0.02).promote).toBe(true);
    expect(decidePromotion(null, report(0.1, 0.1)).promote).toBe(true);
  });
});

describe('labels from outcomes', () => {
  const outcome = (over: Partial<Outcome> = {}): Outcome => ({
    v: 1,
    actionId: 'a1',
    faultId: 'f1',
    faultType: 'resource_exhaustion',
    strategy: 'restart',
    target: 'db-1',
    success: true,
    timeToRecoverMs: 60_000,
    verifiedAt: 1_000_000,
    details: { sinceOnsetMs: 300_000 },
    ...over,
  });

  it('a verified recovery dates the fault from its onset to the verdict; failures and companions give none', () => {
    expect(outcomeToSample(outcome())).toEqual({
      v: 1,
      source: 'db-1',
      start: 700_000,
      end: 1_000_000,
      type: 'resource_exhaustion',
      severity: 'critical',
    });
    expect(outcomeToSample(outcome({ details: {} }))?.start).toBe(940_000);
    expect(outcomeToSample(outcome({ success: false, timeToRecoverMs: null }))).toBeNull();
    expect(outcomeToSample(outcome({ details: { companionOf: 'a0', sinceOnsetMs: 1 } }))).toBeNull();
  });

  it('merges overlapping samples of one source and type, keeping the highest severity', () => {
    const f = (source: string, start: number, end: number, severity: FaultSample['severity'] = 'warning') =>
      ({ v: 1, source, start, end, type: 'node_failure', severity }) as FaultSample;
    expect(mergeFaults([f('a', 0, 10), f('b', 5, 6)], [f('a', 10, 20, 'critical'), f('a', 30, 40)])).toEqual([
      f('a', 0, 20, 'critical'),
      f('a', 30, 40),
      f('b', 5, 6),
    ]);
  });
});

describe('retrain', () => {
  const root = tempDir('faultline-retrain-');
  const data = generateSamples({ seed: 11, sources: 2, steps: 1200, meanGap: 50 });
  // operators had labelled only db-0's faults when version 1 was trained; db-1's come in as new labels
  const sources = [...new Set(data.faults.map((f) => f.source))].sort();
  const known = data.faults.filter((f) => f.source === sources[0]);
  const newLabels = data.faults.filter((f) => f.source !== sources[0]);
  const inThread: NonNullable<RetrainOptions['train']> = async (req, onProgress) => {
    const { result, model } = await runTraining(req, onProgress);
    model.dispose();
    return result;
  };
  const common = { kind: 'predictor' as const, window: 10, epochs: 12, batchSize: 64, seed: 3, modelsDir: root };

  beforeAll(async () => {
    const files = await writeSamples(join(root, 'data'), data);
    const knownFile = join(root, 'data', 'known-faults.jsonl');
    await writeFile(knownFile, known.map((f) => JSON.stringify(f)).join('\n'));
    await inThread(
      { ...common, name: 'web', samples: { file: files.metrics }, faults: knownFile, horizonMs: data.horizonMs },
      () => {},
    );
  }, 120_000);

  it('trains a challenger on the added labels with the same split, and promotes it when not worse', {
    timeout: 120_000,
  }, async () => {
    expect(newLabels.length).toBeGreaterThan(0);
    const r = await retrain({
      modelsDir: root,
      name: 'web',
      labels: newLabels,
      epochs: 12,
      batchSize: 64,
      train: inThread,
    });
    expect(r.current.version).toBe(1);
    expect(r.candidate.version).toBe(2);
    expect(r.labels).toEqual({ before: known.length, added: newLabels.length, total: data.faults.length });
    // the same held-out windows for both: the tail of version 1
    const v1 = await loadModel(root, 'web', 1);
    expect(r.tail.tailStart).toBe(v1.meta.training.valEnd);
    v1.model.dispose();
    const v2 = await loadModel(root, 'web', 2);
    expect(v2.meta.training.trainEnd).toBeCloseTo(r.tail.from + (r.tail.tailStart - r.tail.from) * 0.75, -3);
    expect(Math.abs(v2.meta.training.valEnd - r.tail.tailStart)).toBeLessThan(1);
    v2.model.dispose();
    expect(r.current.evaluation.windows).toBe(r.candidate.evaluation.windows);
    expect(r.candidate.evaluation.prAuc).toBeGreaterThan(r.current.evaluation.prAuc);
    expect(r.decision).toBe('promoted');
    expect(await servedVersion(root, 'web')).toBe(2);
    expect(existsSync(r.reportFile)).toBe(true);
    expect(JSON.parse(readFileSync(r.reportFile, 'utf8'))).toMatchObject({ decision: 'promoted', served: 2 });
  });

  it('refuses a worse challenger: the served version stays, the decision is recorded with both evaluations', {
    timeout: 120_000,
  }, async () => {
    // a sabotaged trainer: one epoch at a tiny learning rate
    const weak: NonNullable<RetrainOptions['train']> = (req, p) =>
      inThread({ ...req, epochs: 1, learningRate: 1e-6 }, p);
    const r = await retrain({ modelsDir: root, name: 'web', labels: [], train: weak });
    expect(r.current.version).toBe(2);
    expect(r.candidate.version).toBe(3);
    expect(r.decision).toBe('refused');
    expect(r.reason).toMatch(/challenger is worse/);
    expect(await servedVersion(root, 'web')).toBe(2);
    const loaded = await loadModel(root, 'web');
    expect(loaded.version).toBe(2);
    loaded.model.dispose();
    const decisions = await readDecisions(root, 'web');
    const last = decisions.at(-1);
    expect(last).toMatchObject({ decision: 'refused', version: 3, previous: 2 });
    expect(last?.evaluations?.current?.prAuc).toBe(r.current.evaluation.prAuc);
    expect(last?.evaluations?.candidate.prAuc).toBe(r.candidate.evaluation.prAuc);
  });
});
