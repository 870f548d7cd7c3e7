import { describe, expect, it } from 'vitest';
import { reportError, UsageError } from '../../../src/cli/errors.js';
import { ConfigError } from '../../../src/config/errors.js';
import { IngestError } from '../../../src/ingest/errors.js';

function report(err: unknown): { code: number; out: string } {
  let out = '';
  const code = reportError(err, (s) => {
    out += s;
  });
  return { code, out };
}

describe('reportError', () => {
  it('user errors (usage, config, input file): one clear message, exit 2, no stack', () => {
    for (const err of [
      new UsageError('--speed: expected a number'),
      new ConfigError('p.yaml', [{ path: 'api.port', line: 3, col: 9, message: 'expected number, got "x"' }]),
      new IngestError('d.csv', 4, 'cpu', 'expected a number'),
    ]) {
      const { code, out } = report(err);
      expect(code).toBe(2);
      expect(out).toBe(`faultline: ${err.message}\n`);
      expect(out).not.toContain('    at ');
    }
  });

  it('typed runtime errors (e.g. Java missing): the message only, exit 1, retriable ones say so', () => {
    class KafkaPrerequisiteError extends Error {
      readonly retriable = false;
      override name = 'KafkaPrerequisiteError';
    }
    class TransportError extends Error {
      readonly retriable = true;
    }
    expect(report(new KafkaPrerequisiteError('Java 17 is required: apt-get install openjdk-17-jre'))).toEqual({
      code: 1,
      out: 'faultline: Java 17 is required: apt-get install openjdk-17-jre\n',
    });
    expect(report(new TransportError('broker unreachable')).out).toContain('retrying may help');
  });

  it('untyped errors are bugs: printed with their stack, exit 1', () => {
    const { code, out } = report(new TypeError('x is undefined'));
    expect(code).toBe(1);
    expect(out).toContain('unexpected error');
    expect(out).toContain('    at ');
  });
});
