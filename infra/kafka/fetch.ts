/**
 * Pre-fetches the Apache Kafka jars into .cache/ (once): `npx tsx infra/kafka/fetch.ts`.
 * Prints progress lines; exits 0 when the cache is complete, 1 with a clear message otherwise.
 */
import { KafkaFetchError, KafkaPrerequisiteError } from './errors.js';
import { ensureKafkaJars, jarsCached } from './jars.js';
import { KAFKA_VERSION, kafkaLibs } from './paths.js';

const log = (m: string) => process.stdout.write(`[kafka-fetch] ${m}\n`);

try {
  if (jarsCached()) {
    log(`Apache Kafka ${KAFKA_VERSION} jars already cached in ${kafkaLibs()}`);
  } else {
    const libs = await ensureKafkaJars({ log });
    log(`Apache Kafka ${KAFKA_VERSION} jars ready in ${libs}`);
  }
} catch (err) {
  if (err instanceof KafkaPrerequisiteError || err instanceof KafkaFetchError) {
    process.stderr.write(`[kafka-fetch] ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
