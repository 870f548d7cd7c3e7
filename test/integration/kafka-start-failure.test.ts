import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KafkaStartError } from '../../infra/kafka/errors.js';
import { startLocalKafka } from '../../infra/kafka/local.js';
import { pidRunning } from '../../infra/kafka/process.js';
import { findJava } from '../../infra/kafka/tools.js';

const hasJava = findJava({ PATH: process.env['PATH'], JAVA_HOME: process.env['JAVA_HOME'] }) !== undefined;

async function startError(opts: Parameters<typeof startLocalKafka>[0]): Promise<KafkaStartError> {
  const err = await startLocalKafka({ log: () => {}, ...opts }).then(
    (k) => k.stop().then(() => undefined),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KafkaStartError);
  const e = err as KafkaStartError;
  // Whatever failed, the broker process is gone and the error points at its log.
  expect(e.pid).toBeGreaterThan(0);
  expect(pidRunning(e.pid!)).toBe(false);
  expect(e.logFile && existsSync(e.logFile)).toBeTruthy();
  expect(e.message).toContain(e.logFile!);
  return e;
}

describe.skipIf(!hasJava)('a broker that does not become ready', () => {
  it('exits at once: the error carries the tail of its log', async () => {
    // A heap size the JVM refuses: it prints why and exits before Kafka starts.
    const e = await startError({ heapMb: 2 ** 50 });
    expect(e.message).toMatch(/exited before it was ready/);
    expect(e.message).toContain('--- last broker log lines ---');
    expect(e.logTail).toMatch(/Invalid maximum heap size/);
    expect(e.retriable).toBe(false);
    rmSync(dirname(e.logFile!), { recursive: true, force: true });
  });

  it('times out: the broker is stopped and the error names the wait', async () => {
    // 300 ms is far too short for a JVM broker to start.
    const e = await startError({ startTimeoutMs: 300 });
    expect(e.message).toMatch(/not ready after 0.3 s/);
    expect(e.retriable).toBe(true);
    rmSync(dirname(e.logFile!), { recursive: true, force: true });
  });
});
