import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/program.js';

const fixture = (name: string) => fileURLToPath(new URL(`../config/fixtures/${name}`, import.meta.url));
const argv = (...args: string[]) => ['node', 'faultline', ...args];

function capture() {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  return { out: () => out, err: () => err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('faultline CLI', () => {
  it('validate: a good pipeline exits 0 with a summary', async () => {
    const io = capture();
    expect(await run(argv('validate', 'pipelines/default.yaml'))).toBe(0);
    expect(io.out()).toMatch(/pipelines\/default\.yaml: ok .*5 detectors \(range, robust, zscore, holt, seasonal\)/);
  });

  it('validate: a bad pipeline exits 2 with file:line: path: problem on stderr, no stack', async () => {
    const io = capture();
    expect(await run(argv('validate', fixture('bad-halflife.yaml')))).toBe(2);
    expect(io.err()).toMatch(/^faultline: .*bad-halflife\.yaml:6:\d+: detectors\[2\]\.halfLife: .*got -3\n$/);
  });

  it('unknown commands and missing arguments exit 2', async () => {
    capture();
    expect(await run(argv('frobnicate'))).toBe(2);
    expect(await run(argv('score'))).toBe(2);
  });

  it('--help and --version exit 0', async () => {
    const io = capture();
    expect(await run(argv('--version'))).toBe(0);
    expect(await run(argv('--help'))).toBe(0);
    expect(io.out()).toContain('score');
  });

  it('score: a missing input file exits 2 naming it', async () => {
    const io = capture();
    expect(await run(argv('score', 'nowhere.csv'))).toBe(2);
    expect(io.err()).toBe('faultline: nowhere.csv: file not found\n');
  });

  it('replay: a bad --speed exits 2', async () => {
    const io = capture();
    expect(await run(argv('replay', 'x.csv', '--speed', 'fast'))).toBe(2);
    expect(io.err()).toContain('--speed');
  });
});
