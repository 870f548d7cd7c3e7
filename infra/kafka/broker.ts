import { z } from 'zod';
import { startLocalKafka } from './local.js';

export interface KafkaHandle {
  brokers: string[];
  external: boolean;
  logFile?: string;
  stop(): Promise<void>;
}

const brokerList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')).min(1, 'expected host:port[,host:port]'));

/** KAFKA_BROKERS parsed; undefined when unset or blank. Throws a clear error when malformed. */
function externalBrokers(): string[] | undefined {
  const raw = process.env['KAFKA_BROKERS'];
  if (raw === undefined || raw.trim() === '') return undefined;
  const parsed = brokerList.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`KAFKA_BROKERS="${raw}" is invalid: ${issue?.message ?? 'expected host:port[,host:port]'}`);
  }
  return parsed.data;
}

function stderrLog(m: string): void {
  process.stderr.write(`[kafka] ${m}\n`);
}

/**
 * A Kafka to talk to. With env KAFKA_BROKERS set, that cluster (nothing is started, stop() is a no-op).
 * Otherwise a real single-node Apache Kafka 3.9.1 (KRaft) on free 127.0.0.1 ports: jars fetched once with
 * Maven into .cache/, data in `dataDir` (default a fresh temp dir, removed on stop), ready when it answers
 * a metadata request. Throws KafkaPrerequisiteError when Java/Maven are missing, KafkaStartError (with the
 * broker log tail) when it does not come up.
 */
export async function ensureKafka(
  opts: { dataDir?: string; log?: (m: string) => void; heapMb?: number } = {},
): Promise<KafkaHandle> {
  const external = externalBrokers();
  if (external) return { brokers: external, external: true, stop: async () => {} };
  const kafka = await startLocalKafka({ dataDir: opts.dataDir, log: opts.log ?? stderrLog, heapMb: opts.heapMb });
  return { brokers: kafka.brokers, external: false, logFile: kafka.logFile, stop: kafka.stop };
}
