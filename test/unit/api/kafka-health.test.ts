import { createServer } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaHealth } from '../../../src/api/health.js';

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('createKafkaHealth', () => {
  it('reports an unreachable broker as broker: false with the reason, without throwing', async () => {
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${await deadPort()}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 500,
      retry: { retries: 0 },
    });
    const h = createKafkaHealth({ kafka, consumers: [{ assigned: () => true }], timeoutMs: 2000 });
    const r = await h.check();
    expect(r.broker).toBe(false);
    expect(r.consumersAssigned).toBe(true);
    expect(String(r.details?.['brokerError'])).not.toBe('');
    await h.close();
  });

  it('consumersAssigned only when every consumer is assigned', async () => {
    const kafka = new Kafka({
      brokers: [`127.0.0.1:${await deadPort()}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 500,
      retry: { retries: 0 },
    });
    const h = createKafkaHealth({ kafka, consumers: [{ assigned: () => true }, { assigned: () => false }] });
    expect((await h.check()).consumersAssigned).toBe(false);
    await h.close();
  });
});
