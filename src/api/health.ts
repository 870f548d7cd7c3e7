import type { Admin, Kafka } from 'kafkajs';
import type { Readiness } from './routes/health.js';

export interface KafkaHealthOptions {
  kafka: Kafka;
  /** consumers whose assignment makes the API ready (the view feed, optionally more) */
  consumers: { assigned(): boolean }[];
  /** a broker that does not answer within this is unreachable (default 2000 ms) */
  timeoutMs?: number;
}

/**
 * The readiness check for `buildApi({ health })`: the broker answers `describeCluster` and every
 * given consumer has its partitions. Keeps one admin client; reconnects after a failure.
 */
export function createKafkaHealth(opts: KafkaHealthOptions): {
  check: () => Promise<Readiness>;
  close(): Promise<void>;
} {
  const timeoutMs = opts.timeoutMs ?? 2000;
  let admin: Admin | null = null;

  async function brokerUp(): Promise<{ ok: boolean; detail: Record<string, unknown> }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!admin) {
        admin = opts.kafka.admin();
        await admin.connect();
      }
      const a = admin;
      const cluster = await Promise.race([
        a.describeCluster(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { ok: true, detail: { brokers: cluster.brokers.length, controller: cluster.controller } };
    } catch (err) {
      const a = admin;
      admin = null;
      await a?.disconnect().catch(() => {});
      return { ok: false, detail: { brokerError: (err as Error).message } };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async check() {
      const broker = await brokerUp();
      const consumersAssigned = opts.consumers.every((c) => c.assigned());
      return { broker: broker.ok, consumersAssigned, details: broker.detail };
    },
    async close() {
      const a = admin;
      admin = null;
      await a?.disconnect().catch(() => {});
    },
  };
}
