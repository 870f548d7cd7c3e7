/**
 * Which Kafka to use: the configured list when non-empty, else env KAFKA_BROKERS (comma-separated),
 * else null, meaning "start a local broker" (infra/kafka ensureKafka).
 */
export function resolveBrokers(configured: string[], env: NodeJS.ProcessEnv = process.env): string[] | null {
  const fromConfig = configured.map((b) => b.trim()).filter(Boolean);
  if (fromConfig.length > 0) return fromConfig;
  const fromEnv = (env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return fromEnv.length > 0 ? fromEnv : null;
}
