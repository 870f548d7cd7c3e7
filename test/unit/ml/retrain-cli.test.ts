import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRetrain } from '../../../src/cli/commands/retrain.js';
import { UsageError } from '../../../src/cli/errors.js';
import { generateSamples, writeSamples } from '../../../src/ml/synthetic.js';
import { runTraining } from '../../../src/ml/train-run.js';
import { tempDir } from './helpers.js';

describe('faultline retrain', () => {
  const root = tempDir('faultline-retrain-cli-');

  it('reads label files (labels and outcomes), trains in a worker, prints the comparison', {
    timeout: 120_000,
  }, async () => {
    const data = generateSamples({ seed: 6, sources: 2, steps: 600, meanGap: 50 });
    const files = await writeSamples(join(root, 'data'), data);
    const { model } = await runTraining({
      kind: 'predictor',
      name: 'cli',
      samples: { file: files.metrics },
      faults: files.faults,
      horizonMs: data.horizonMs,
      window: 10,
      epochs: 3,
      modelsDir: root,
    });
    model.dispose();
    const labelsFile = join(root, 'labels.jsonl');
    const f = data.faults[data.faults.length - 1]!;
    await writeFile(
      labelsFile,
      `${JSON.stringify({ ...f, start: f.start + 1, severity: 'warning' })}\n` +
        `${JSON.stringify({ v: 1, actionId: 'a', faultId: 'x', faultType: 'node_failure', strategy: 'restart', target: f.source, success: true, timeToRecoverMs: 60_000, verifiedAt: f.end, details: {} })}\n`,
    );
    let out = '';
    const r = await runRetrain(
      { model: 'cli', modelsDir: root, labels: labelsFile, epochs: '3', progress: false },
      (s) => {
        out += s;
      },
    );
    expect(r.candidate.version).toBe(2);
    expect(r.labels.total).toBeGreaterThanOrEqual(data.faults.length);
    expect(out).toMatch(/held-out tail from .* \(\d+ windows, the same for both\)/);
    expect(out).toMatch(r.decision === 'promoted' ? /promoted version 2/ : /refused version 2/);
  });

  it('a bad label line is a usage error naming the file and line', async () => {
    const bad = join(root, 'bad.jsonl');
    await writeFile(bad, '{"source":"a","start":1,"end":2,"type":"meteor"}\n');
    await expect(runRetrain({ model: 'cli', modelsDir: root, labels: bad }, () => {})).rejects.toThrow(
      /bad\.jsonl:1: label type/,
    );
    await expect(runRetrain({ modelsDir: root }, () => {})).rejects.toBeInstanceOf(UsageError);
  });
});
