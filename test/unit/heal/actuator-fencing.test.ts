import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaleTokenError } from '../../../src/coord/index.js';
import {
  type Actuator,
  CommandActuator,
  parseHealConfig,
  SimActuator,
  WebhookActuator,
} from '../../../src/heal/index.js';
import { act } from './actuator-fixtures.js';

let server: Server;
let url = '';
let posts = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    posts += 1;
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/actions`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const command = () => {
  const cfg = parseHealConfig({
    actuators: [
      {
        kind: 'command',
        name: 'cmd',
        allow: ['/bin/true'],
        commands: { restart: { exec: '/bin/true', args: ['{target}'] } },
      },
    ],
  }).actuators[0];
  let runs = 0;
  const a = new CommandActuator(cfg as never, async () => {
    runs += 1;
    return { code: 0, stdout: '', stderr: '' };
  });
  return { a, runs: () => runs };
};

describe('every actuator rejects a stale fencing token', () => {
  const cases: Array<[string, () => { a: Actuator; calls: () => number }]> = [
    [
      'sim',
      () => {
        const a = new SimActuator();
        return { a, calls: () => a.applied().length };
      },
    ],
    ['webhook', () => ({ a: new WebhookActuator({ name: 'hook', url }), calls: () => posts })],
    [
      'command',
      () => {
        const c = command();
        return { a: c.a, calls: c.runs };
      },
    ],
  ];

  for (const [name, make] of cases) {
    it(`${name}: newer and equal tokens pass, an older one throws StaleTokenError and does nothing`, async () => {
      const { a, calls } = make();
      const before = calls();
      await a.execute(act({ id: 'act-a', fencingToken: 10 }));
      await a.execute(act({ id: 'act-b', fencingToken: 12 }));
      await a.execute(act({ id: 'act-c', fencingToken: 12 }));
      expect(calls() - before).toBe(3);
      const err = await a.execute(act({ id: 'act-d', fencingToken: 11 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StaleTokenError);
      expect((err as StaleTokenError).retriable).toBe(false);
      expect(calls() - before).toBe(3);
      await expect(a.execute(act({ id: 'act-e', fencingToken: null }))).rejects.toThrow(/no fencing token/);
    });
  }
});

describe('SimActuator', () => {
  it('is idempotent by action id: a repeated id is a duplicate delivery, not a second effect', async () => {
    const effects: string[] = [];
    const a = new SimActuator({
      apply: (x) => {
        effects.push(x.id);
        return { details: { ok: 1 } };
      },
    });
    await a.execute(act({ id: 'act-1' }));
    const again = await a.execute(act({ id: 'act-1' }));
    expect(again.duplicate).toBe(true);
    expect(effects).toEqual(['act-1']);
    expect(a.duplicateDeliveries()).toBe(1);
    expect(a.newestToken()).toBe(10);
  });
});
