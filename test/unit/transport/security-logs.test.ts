import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafka } from '../../../src/transport/kafka.js';
import { createLog, registerSecret } from '../../../src/transport/log.js';

const PASSWORD = 'S3cr3t-kafka-pw-do-not-log';

/** A TCP server on loopback that records the first bytes of each connection and then hangs up. */
async function tcpServer(): Promise<{ port: number; first: Buffer[]; server: Server }> {
  const first: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.once('data', (d) => {
      first.push(d);
      s.destroy();
    });
    s.on('close', () => sockets.delete(s));
  });
  server.on('close', () => {
    for (const s of sockets) s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, first, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('no secret in the log', () => {
  it('masks registered secret values and secret-named fields at any depth', () => {
    const lines: string[] = [];
    const log = createLog({ level: 'debug', write: (l) => lines.push(l) }).child('t');
    registerSecret('etcd-root-pw-42');
    log.info('auth failed for password etcd-root-pw-42 on host a', {
      password: 'plain-field-pw',
      sasl: { mechanism: 'plain', username: 'fl', password: 'nested-pw' },
      headers: { authorization: 'Bearer abc.def', 'x-api-key': 'k-123' },
      key: 'web-1|cpu',
      token: 7,
    });
    const out = lines.join('\n');
    for (const s of ['etcd-root-pw-42', 'plain-field-pw', 'nested-pw', 'abc.def', 'k-123'])
      expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
    // not secrets: a Kafka message key, a fencing token, a user name
    expect(out).toContain('key=web-1|cpu');
    expect(out).toContain('token=7');
    expect(out).toContain('"username":"fl"');
  });

  it('kafkajs at debug level, with SASL and TLS configured, never logs the password', async () => {
    const { port, first, server } = await tcpServer();
    servers.push(server);
    const lines: string[] = [];
    const kafka = createKafka({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'sec-test',
      logLevel: 'debug',
      log: createLog({ level: 'debug', write: (l) => lines.push(l) }),
      security: { ssl: true, sasl: { mechanism: 'plain', username: 'fl-user', passwordEnv: 'FL_TEST_KAFKA_PW' } },
      env: { FL_TEST_KAFKA_PW: PASSWORD },
      retries: 0,
    });
    const admin = kafka.admin({ retry: { retries: 0 } });
    await expect(admin.connect()).rejects.toThrow();
    await admin.disconnect().catch(() => {});
    // the client spoke TLS: the first byte is a TLS handshake record (0x16), not a Kafka request
    expect(first.length).toBeGreaterThan(0);
    expect(first[0]?.[0]).toBe(0x16);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(PASSWORD);
  });

  it('without ssl the client sends a plain Kafka request', async () => {
    const { port, first, server } = await tcpServer();
    servers.push(server);
    const kafka = createKafka({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'plain-test',
      logLevel: 'silent',
      retries: 0,
    });
    const admin = kafka.admin({ retry: { retries: 0 } });
    await expect(admin.connect()).rejects.toThrow();
    await admin.disconnect().catch(() => {});
    // a Kafka request starts with a 4-byte big-endian size, never 0x16 for a small request
    expect(first[0]?.[0]).toBe(0);
  });
});
