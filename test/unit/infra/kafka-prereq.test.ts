import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureKafka } from '../../../infra/kafka/broker.js';
import { KafkaPrerequisiteError } from '../../../infra/kafka/errors.js';
import { assertTools, findExecutable } from '../../../infra/kafka/tools.js';

const saved = {
  PATH: process.env['PATH'],
  JAVA_HOME: process.env['JAVA_HOME'],
  KAFKA_BROKERS: process.env['KAFKA_BROKERS'],
};
let empty: string;

function restore(name: keyof typeof saved): void {
  if (saved[name] === undefined) delete process.env[name];
  else process.env[name] = saved[name];
}

beforeEach(() => {
  empty = mkdtempSync(join(tmpdir(), 'faultline-nopath-'));
});

afterEach(() => {
  restore('PATH');
  restore('JAVA_HOME');
  restore('KAFKA_BROKERS');
  rmSync(empty, { recursive: true, force: true });
});

describe('local Kafka prerequisites', () => {
  it('ensureKafka without Java on PATH rejects with a typed, non-retriable error saying what to do', async () => {
    process.env['PATH'] = empty;
    delete process.env['JAVA_HOME'];
    delete process.env['KAFKA_BROKERS'];
    const err = await ensureKafka({ log: () => {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(KafkaPrerequisiteError);
    const e = err as KafkaPrerequisiteError;
    expect(e.retriable).toBe(false);
    expect(e.missing.join(' ')).toMatch(/Java/);
    expect(e.message).toContain('apt-get install openjdk-17-jre-headless maven');
    expect(e.message).toContain('docker compose up');
    expect(e.message).toContain('KAFKA_BROKERS');
  });

  it('asks for Maven when the jars still have to be fetched and only Java is present', () => {
    const java = findExecutable('java', saved.PATH);
    if (!java) return; // machine without Java: the test above covers it
    // A folder with java but no mvn.
    const dir = mkdtempSync(join(tmpdir(), 'faultline-onlyjava-'));
    try {
      symlinkSync(java, join(dir, 'java'));
      expect(() => assertTools({ needMaven: true, env: { PATH: dir } })).toThrow(KafkaPrerequisiteError);
      expect(() => assertTools({ needMaven: true, env: { PATH: dir } })).toThrow(/Maven/);
      expect(assertTools({ needMaven: false, env: { PATH: dir } }).java).toBe(join(dir, 'java'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with KAFKA_BROKERS set starts nothing, even without Java', async () => {
    process.env['PATH'] = empty;
    process.env['KAFKA_BROKERS'] = ' broker-a:9092, kafka:9093 ';
    const handle = await ensureKafka({ log: () => {} });
    expect(handle.external).toBe(true);
    expect(handle.brokers).toEqual(['broker-a:9092', 'kafka:9093']);
    expect(handle.logFile).toBeUndefined();
    await expect(handle.stop()).resolves.toBeUndefined();
  });

  it('a malformed KAFKA_BROKERS is a clear error naming the variable', async () => {
    process.env['KAFKA_BROKERS'] = 'no-port-here';
    await expect(ensureKafka({ log: () => {} })).rejects.toThrow(/KAFKA_BROKERS="no-port-here" is invalid/);
  });
});
