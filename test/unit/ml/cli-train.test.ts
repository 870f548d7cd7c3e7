import { describe, expect, it } from 'vitest';
import { formatReport, trainRequest } from '../../../src/cli/commands/train.js';
import { UsageError } from '../../../src/cli/errors.js';
import { buildProgram } from '../../../src/cli/program.js';
import type { TrainResult } from '../../../src/ml/train.js';

describe('faultline train options', () => {
  it('maps options to a training request', () => {
    expect(
      trainRequest({
        samples: 'm.csv',
        faults: 'f.jsonl',
        model: 'predictor',
        horizon: '30m',
        epochs: '12',
        name: 'web',
      }),
    ).toMatchObject({
      kind: 'predictor',
      name: 'web',
      samples: { file: 'm.csv' },
      faults: 'f.jsonl',
      horizonMs: 1_800_000,
      epochs: 12,
    });
    expect(trainRequest({ synthetic: '3', model: 'autoencoder' })).toMatchObject({
      samples: { synthetic: { seed: 3 } },
    });
  });

  it.each([
    [{ samples: 'm.csv', model: 'forest' }, /--model: expected autoencoder, predictor or forecaster/],
    [{ model: 'autoencoder' }, /either --samples/],
    [{ samples: 'm.csv', model: 'predictor' }, /--faults <faults.jsonl> is required/],
    [{ samples: 'm.csv', model: 'autoencoder', horizon: 'soon' }, /--horizon: expected a duration/],
    [{ samples: 'm.csv', model: 'autoencoder', epochs: '0' }, /--epochs: expected an integer >= 1/],
  ])('%j is a usage error', (opts, msg) => {
    expect(() => trainRequest(opts)).toThrow(UsageError);
    expect(() => trainRequest(opts)).toThrow(msg);
  });

  it('is registered with its options', () => {
    const cmd = buildProgram().commands.find((c) => c.name() === 'train');
    expect(cmd?.options.map((o) => o.long)).toEqual(
      expect.arrayContaining(['--samples', '--faults', '--model', '--horizon', '--name', '--epochs', '--synthetic']),
    );
  });

  it('prints the evaluation report', () => {
    const r = {
      name: 'p',
      kind: 'predictor',
      version: 2,
      dir: 'models/p/2',
      backend: 'wasm',
      training: {
        epochs: 9,
        bestEpoch: 6,
        stoppedEarly: true,
        seconds: 3.2,
        windows: { train: 10, val: 5, test: 5 },
        valEnd: 0,
      },
      evaluation: {
        threshold: 0.5,
        precision: 1,
        recall: 0.9,
        f1: 0.947,
        prAuc: 0.98,
        events: {
          detected: 5,
          faults: 5,
          precision: 1,
          recall: 1,
          f1: 1,
          meanLeadTimeMs: 780_000,
          falseAlarmsPerDay: 0,
        },
      },
    } as unknown as TrainResult;
    const text = formatReport(r);
    expect(text).toContain('saved p version 2 → models/p/2');
    expect(text).toContain('F1 0.947  PR-AUC 0.980');
    expect(text).toContain('5/5 detected');
    expect(text).toContain('mean lead time 13.0 min');
  });
});
