import { describe, expect, it } from 'vitest';
import { ConfigError, parsePipeline } from '../../../src/config/load.js';
import { HealConfigError, parseHealConfig, policyFor } from '../../../src/heal/index.js';

const base = `
name: t
detectors:
  - kind: zscore
alarms:
  - name: a
    threshold: 0.5
`;

function healError(input: unknown): string {
  try {
    parseHealConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(HealConfigError);
    expect((e as HealConfigError).retriable).toBe(false);
    return (e as Error).message;
  }
  throw new Error('expected HealConfigError');
}

describe('heal config', () => {
  it('fills the documented defaults (Kubernetes back-off, gates, sim actuator)', () => {
    const c = parseHealConfig(undefined);
    expect(c.ladder).toEqual({
      maxRestarts: 3,
      period: 600_000,
      backoffInitial: 10_000,
      backoffMax: 300_000,
      resetAfter: 600_000,
    });
    expect(c.gates.maxConcurrent).toBe(5);
    expect(c.approval.mode).toBe('automatic');
    expect(c.actuators).toEqual([{ kind: 'sim', name: 'sim' }]);
    expect(c.rules.length).toBeGreaterThan(3);
    expect(policyFor(c, 'resource_exhaustion').strategies).toEqual(['restart', 'reallocate', 'failover', 'escalate']);
  });

  it('names the field of a bad value', () => {
    expect(healError({ gates: { maxConcurrent: 0 } })).toMatch(/^heal\.gates\.maxConcurrent: /);
    expect(healError({ ladder: { backoffInitial: 'soon' } })).toMatch(/^heal\.ladder\.backoffInitial: .*duration/);
    expect(healError({ rules: [{ name: 'x', metrics: ['a'], type: 'meltdown' }] })).toMatch(/^heal\.rules\.0\.type/);
  });

  it('checks cross-references: routes, groups, cycles', () => {
    expect(healError({ routes: [{ actuator: 'nope' }] })).toMatch(/routes\.0\.actuator: unknown actuator "nope"/);
    expect(
      healError({
        groups: [
          { name: 'a', members: ['x'] },
          { name: 'b', members: ['x'] },
        ],
      }),
    ).toMatch(/groups\.1\.members\.0: "x" is already a member of group "a"/);
    expect(healError({ groups: [{ name: 'g', members: ['x'], replicated: true }] })).toMatch(/primary and a backup/);
    expect(
      healError({ services: { a: { dependsOn: ['b'] }, b: { dependsOn: ['c'] }, c: { dependsOn: ['a'] } } }),
    ).toMatch(/dependency cycle a → b → c → a/);
    expect(healError({ silences: [{ groups: ['ghost'], from: 0, to: 10 }] })).toMatch(/unknown group "ghost"/);
    expect(healError({ silences: [{ from: 10, to: 5 }] })).toMatch(/silences\.0\.to: to must be after from/);
  });

  it('command actuators: only absolute, allowlisted executables; only known placeholders', () => {
    expect(
      healError({
        actuators: [
          { kind: 'command', name: 'cmd', allow: ['/bin/true'], commands: { restart: { exec: '/bin/sh', args: [] } } },
        ],
      }),
    ).toMatch(/commands\.restart\.exec: \/bin\/sh is not in allow/);
    expect(healError({ actuators: [{ kind: 'command', name: 'cmd', allow: ['true'], commands: {} }] })).toMatch(
      /absolute path/,
    );
    expect(
      healError({
        actuators: [
          {
            kind: 'command',
            name: 'cmd',
            allow: ['/bin/echo'],
            commands: { restart: { exec: '/bin/echo', args: ['{event.reason}'] } },
          },
        ],
      }),
    ).toMatch(/placeholders must be one of/);
  });

  it('a pipeline file may carry a heal: section; errors name the file, line and path', () => {
    const ok = parsePipeline(`${base}heal:\n  dryRun: true\n  services:\n    api: { dependsOn: [db] }\n`);
    expect(ok.heal?.dryRun).toBe(true);
    expect(ok.heal?.services['api']?.dependsOn).toEqual(['db']);
    expect(parsePipeline(base).heal).toBeUndefined();
    let err: unknown;
    try {
      parsePipeline(`${base}heal:\n  gates:\n    maxConcurent: 3\n`, 'p.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(
      /p\.yaml:\d+:\d+: heal\.gates\.maxConcurent: unknown key \(did you mean "maxConcurrent"\?\)/,
    );
  });
});
