import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ActuatorRejectedError,
  ActuatorUnavailableError,
  CommandActuator,
  createHealEngine,
  parseHealConfig,
  type RunFile,
  runFile,
  SAFE_VALUE,
} from '../../../src/heal/index.js';
import { act } from './actuator-fixtures.js';
import { anomaly, leader, T0 } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'faultline-cmd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TEMPLATES = {
  restart: { exec: '/bin/echo', args: ['restart', '{target}', '--token={token}', '--id={actionId}'] },
  reallocate: { exec: '/bin/echo', args: ['move', '{target}', 'to', '{destination}', 'in', '{group}'] },
};
const cmdConfig = parseHealConfig({
  actuators: [{ kind: 'command', name: 'cmd', allow: ['/bin/echo'], commands: TEMPLATES }],
}).actuators[0] as never;

/** Strings an attacker might put in a source name, a metric, labels or a reason. */
const hostile = fc.oneof(
  fc.constantFrom(
    '; rm -rf /',
    '$(touch /tmp/pwned)',
    '`id`',
    '../../bin/sh',
    '/bin/sh',
    '-rf',
    '--exec=/bin/sh',
    'db-1 && reboot',
    'db-1\nreboot',
    'db-1\u0000x',
    '|nc -l 4444',
    ['$', '{IFS}'].join(''),
    'db-1;',
    '"db-1"',
    "'db-1'",
    '*',
    '~root',
    'a'.repeat(129),
    'db\u202e1',
    '',
  ),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc
    .tuple(
      fc.constantFrom('db-1', 'web', 'x'),
      fc.constantFrom(';', '$(', '`', ' ', '/', '\n', '&', '|', '>'),
      fc.string(),
    )
    .map((p) => p.join('')),
);

const recorder = () => {
  const calls: Array<{ file: string; args: string[] }> = [];
  const run: RunFile = async (file, args) => {
    calls.push({ file, args: [...args] });
    return { code: 0, stdout: '', stderr: '' };
  };
  return { calls, run };
};

/** What a template may render to: literal parts unchanged, each placeholder a SAFE_VALUE. */
function conforms(template: string[], args: string[]): boolean {
  if (template.length !== args.length) return false;
  return template.every((t, i) => {
    const parts = t.split(/\{[^}]*\}/);
    const re = new RegExp(
      `^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join(`(${SAFE_VALUE.source.slice(1, -1)})`)}$`,
    );
    return re.test(args[i] as string);
  });
}

describe('command actuator: event content cannot run anything outside the allowlist', () => {
  it('hostile targets, destinations and groups are refused or end up as one safe argument each (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostile,
        hostile,
        hostile,
        fc.constantFrom('restart', 'reallocate') as fc.Arbitrary<'restart'>,
        async (target, destination, group, strategy) => {
          const { calls, run } = recorder();
          const a = new CommandActuator(cmdConfig, run);
          const r = await a.execute(act({ strategy, target, params: { destination, group } })).then(
            () => 'ran' as const,
            (e: unknown) => e,
          );
          if (r !== 'ran') {
            expect(r).toBeInstanceOf(ActuatorRejectedError);
            expect(calls).toEqual([]);
            return;
          }
          expect(calls).toHaveLength(1);
          const [call] = calls;
          expect(call?.file).toBe('/bin/echo');
          expect(conforms(TEMPLATES[strategy].args, call?.args ?? [])).toBe(true);
          expect(SAFE_VALUE.test(target)).toBe(true);
        },
      ),
      { numRuns: 400, seed: 20240101 },
    );
  });

  it('end to end: anomaly events with hostile sources drive the engine, the runner only ever sees the allowlist', async () => {
    await fc.assert(
      fc.asyncProperty(hostile, fc.string(), async (source, reason) => {
        const { calls, run } = recorder();
        const coordinator = await leader();
        const config = {
          correlation: { groupWait: 0 },
          actuators: [{ kind: 'command', name: 'cmd', allow: ['/bin/echo'], commands: TEMPLATES }],
        };
        const cfg = parseHealConfig(config);
        const engine = createHealEngine({
          config: cfg,
          coordinator,
          actuators: { cmd: new CommandActuator(cfg.actuators[0] as never, run) },
        });
        const step = await engine.onAnomaly(anomaly({ source: source || 'x', metric: 'latency_ms', ts: T0, reason }));
        for (const c of calls) {
          expect(c.file).toBe('/bin/echo');
          expect(conforms(TEMPLATES.restart.args, c.args) || conforms(TEMPLATES.reallocate.args, c.args)).toBe(true);
        }
        for (const a of step.actions) {
          if (!SAFE_VALUE.test(a.target)) expect(a.decision).not.toBe('executed');
        }
        const effective = source || 'x';
        expect(calls.length).toBe(SAFE_VALUE.test(effective) ? 1 : 0);
        await coordinator.close();
      }),
      { numRuns: 150, seed: 99 },
    );
  });

  it('really spawns the allowlisted executable without a shell', async () => {
    const a = new CommandActuator(cmdConfig, runFile);
    const r = await a.execute(act({ target: 'db-1', fencingToken: 7 }));
    expect(r.details['code']).toBe(0);
    expect(String(r.details['stdout']).trim()).toBe('restart db-1 --token=7 --id=act-0123456789abcdef0123');
    const marker = join(tmp, 'pwned');
    const err = await a.execute(act({ target: `$(touch ${marker})`, fencingToken: 7 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActuatorRejectedError);
    expect(existsSync(marker)).toBe(false);
  });

  it('a strategy with no command, a target outside `targets`, and exit codes', async () => {
    const cfg = parseHealConfig({
      actuators: [
        {
          kind: 'command',
          name: 'cmd',
          allow: ['/bin/echo'],
          targets: ['db-*'],
          commands: { restart: { exec: '/bin/echo', args: ['{target}'] } },
        },
      ],
    }).actuators[0] as never;
    const exit =
      (code: number): RunFile =>
      async () => ({ code, stdout: '', stderr: `exit ${code}` });
    await expect(new CommandActuator(cfg, exit(0)).execute(act({ strategy: 'failover' }))).rejects.toThrow(
      /no command for strategy failover/,
    );
    await expect(new CommandActuator(cfg, exit(0)).execute(act({ target: 'web-1' }))).rejects.toThrow(
      /not one this actuator manages/,
    );
    await expect(new CommandActuator(cfg, exit(75)).execute(act())).rejects.toBeInstanceOf(ActuatorUnavailableError);
    await expect(new CommandActuator(cfg, exit(1)).execute(act())).rejects.toBeInstanceOf(ActuatorRejectedError);
    expect(new CommandActuator(cfg).plan(act({ target: 'db-9' }))).toEqual({ file: '/bin/echo', args: ['db-9'] });
  });
});
