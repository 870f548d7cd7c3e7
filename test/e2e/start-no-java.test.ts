import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, spawnCli } from './cli-process.js';

const emptyBin = mkdtempSync(join(tmpdir(), 'faultline-no-java-'));
afterAll(() => rmSync(emptyBin, { recursive: true, force: true }));

describe('faultline start without Java or Maven', () => {
  it('says what to install and exits 1, without a stack trace', async () => {
    // no KAFKA_BROKERS, no java/mvn on PATH, no JAVA_HOME: start must fall back to a local broker and fail clearly
    const env = cleanEnv({ PATH: emptyBin });
    delete env.JAVA_HOME;
    const cli = spawnCli(['start', '--port', '0', '--no-demo'], env);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/needs Java 17 .*(and Maven)?/);
    expect(cli.stderr()).toContain('KAFKA_BROKERS');
    expect(cli.stderr()).not.toMatch(/\n\s+at /);
  });
});
