import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existingBrokers, parseBrokerList } from '../../../src/cli/brokers.js';
import { demoSource } from '../../../src/cli/demo-source.js';
import { UsageError } from '../../../src/cli/errors.js';
import { clearStartState, readStartState, writeStartState } from '../../../src/cli/state.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const saved = { ...process.env };
beforeEach(() => {
  delete process.env.KAFKA_BROKERS;
  process.env.FAULTLINE_STATE_FILE = join(dir, 'start.json');
});
afterEach(() => {
  process.env = { ...saved };
});

describe('broker resolution for replay/worker', () => {
  it('--brokers, then the pipeline, then KAFKA_BROKERS, then a running `faultline start`', () => {
    expect(existingBrokers('a:1,b:2', ['c:3'])).toEqual(['a:1', 'b:2']);
    expect(existingBrokers(undefined, ['c:3'])).toEqual(['c:3']);
    process.env.KAFKA_BROKERS = 'd:4';
    expect(existingBrokers(undefined, [])).toEqual(['d:4']);
    delete process.env.KAFKA_BROKERS;
    writeStartState({ pid: process.pid, brokers: ['e:5'], api: 'http://x', pipeline: 'p.yaml' });
    expect(existingBrokers(undefined, [])).toEqual(['e:5']);
    clearStartState();
    expect(readStartState()).toBeUndefined();
    expect(() => existingBrokers(undefined, [])).toThrow(UsageError);
  });

  it('ignores the state of a `faultline start` that is gone', () => {
    writeStartState({ pid: 2 ** 22 + 12345, brokers: ['e:5'], api: 'http://x', pipeline: 'p.yaml' });
    expect(readStartState()).toBeUndefined();
  });

  it('rejects malformed broker lists', () => {
    expect(() => parseBrokerList('localhost')).toThrow(/--brokers: expected host:port/);
    expect(() => parseBrokerList(' , ')).toThrow(UsageError);
  });
});

describe('demoSource', () => {
  it('sim is deterministic and yields one point per source × metric per tick', async () => {
    const a = demoSource('sim');
    const b = demoSource('sim');
    const first = await a.ticks.next();
    expect(first.value).toHaveLength(9);
    expect(first.value).toEqual((await b.ticks.next()).value);
  });

  it('nab without the NAB data is a usage error; an unknown kind too', () => {
    process.env.FAULTLINE_NAB_DIR = join(dir, 'no-nab');
    expect(() => demoSource('nab')).toThrow(/NAB data not found/);
    expect(demoSource(undefined).kind).toBe('sim');
    expect(() => demoSource('kafka')).toThrow(/expected "nab" or "sim"/);
  });
});
