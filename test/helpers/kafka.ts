import { inject } from 'vitest';

/** Brokers of the real Kafka started by test/setup/kafka-global.ts (integration project only). */
export function testBrokers(): string[] {
  const brokers = inject('kafkaBrokers');
  if (!Array.isArray(brokers) || brokers.length === 0) {
    throw new Error(
      'testBrokers(): no Kafka brokers were provided. Run this file in the "integration" project ' +
        '(test/integration/** or test/e2e/**), whose globalSetup starts the broker.',
    );
  }
  return brokers;
}

/** The local broker's log file, for diagnostics ('' with an external KAFKA_BROKERS cluster). */
export function testBrokerLogFile(): string {
  return inject('kafkaLogFile') ?? '';
}
