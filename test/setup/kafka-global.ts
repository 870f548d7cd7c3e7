import type { TestProject } from 'vitest/node';
import { ensureKafka, type KafkaHandle } from '../../infra/kafka/broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap brokers of the Kafka used by the integration project. */
    kafkaBrokers: string[];
    /** The local broker's log file ('' when KAFKA_BROKERS points at an external cluster). */
    kafkaLogFile: string;
  }
}

let handle: KafkaHandle | undefined;

/** Starts one real broker for the whole integration project (or uses KAFKA_BROKERS). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  handle = await ensureKafka({ log: (m) => process.stderr.write(`[kafka] ${m}\n`) });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  process.stderr.write(
    `[kafka] ${handle.external ? 'using external' : 'local'} Kafka at ${handle.brokers.join(',')} (${secs} s)\n`,
  );
  project.provide('kafkaBrokers', handle.brokers);
  project.provide('kafkaLogFile', handle.logFile ?? '');
  return async () => {
    await handle?.stop();
    handle = undefined;
  };
}
