import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../../src/cli/program.js';

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

describe('faultline chaos', () => {
  it('bad options exit 2 with a message naming the option', async () => {
    const io = capture();
    expect(await run(argv('chaos', '--scenario', 'nope'))).toBe(2);
    expect(io.err()).toMatch(/--scenario: unknown scenario "nope" \(known: standard, quick, burst\)/);
    expect(await run(argv('chaos', '--seed', '-4'))).toBe(2);
    expect(io.err()).toMatch(/--seed: expected an integer/);
    expect(await run(argv('chaos', '--actuator', 'ssh'))).toBe(2);
  });

  it('--json: a scorecard, then one JSON object with the scorecard keys on the last line', async () => {
    const io = capture();
    expect(await run(argv('chaos', '--scenario', 'quick', '--predictor', 'none', '--json', '--no-progress'))).toBe(0);
    const lines = io.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^chaos scenario quick \(seed 1\)/);
    const card = JSON.parse(lines.at(-1) as string) as Record<string, unknown>;
    for (const k of [
      'faults_injected',
      'faults_detected',
      'recovered_automatically',
      'mttr_median_s',
      'availability',
      'duplicate_actions',
      'wrong_actions',
      'exhaustion_acted_before_impact',
    ]) {
      expect(typeof card[k]).toBe('number');
    }
    expect(card['faults_injected']).toBe(6);
  }, 60_000);
});
