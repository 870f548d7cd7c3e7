import { Kafka, logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';
import { type KafkaSecurityConfig, kafkaSecurityOptions } from './kafka-security.js';
import { createLog, isLogLevel, type Log, type LogLevel } from './log.js';

export interface CreateKafkaOptions {
  brokers: string[];
  clientId: string;
  /**
   * Minimum level of kafkajs' own messages to pass on. Default 'error' (quiet), overridable with
   * the env variable FAULTLINE_KAFKA_LOG_LEVEL (debug|info|warn|error|silent).
   */
  logLevel?: LogLevel;
  /** where kafkajs messages go (prefixed `[kafkajs.<namespace>]`); default stderr */
  log?: Log;
  /**
   * TLS and SASL: the pipeline's `kafka:` section can be passed as it is (`security: pipeline.kafka`).
   * Certificate files are read and the password taken from its environment variable here; a missing
   * one throws KafkaSecurityError (retriable: false).
   */
  security?: KafkaSecurityConfig | undefined;
  /** where `security` looks up `passwordEnv` / `passphraseEnv` (default process.env) */
  env?: Record<string, string | undefined>;
  /** client-level retries of a failed connection or request (default 10, with back-off up to 5 s) */
  retries?: number;
}

const TO_KAFKAJS: Record<LogLevel, KafkaLogLevel> = {
  debug: KafkaLogLevel.DEBUG,
  info: KafkaLogLevel.INFO,
  warn: KafkaLogLevel.WARN,
  error: KafkaLogLevel.ERROR,
  silent: KafkaLogLevel.NOTHING,
};

/** kafkajs fields that only add noise to a log line */
const DROP = new Set(['timestamp', 'logger', 'message', 'stack']);

function envLevel(): LogLevel | undefined {
  const v = process.env.FAULTLINE_KAFKA_LOG_LEVEL?.toLowerCase();
  return v && isLogLevel(v) ? v : undefined;
}

/**
 * A kafkajs client whose log output goes through faultline's logger, quiet by default.
 * Producers, consumers and admins are created from it by the other transport helpers.
 */
export function createKafka(opts: CreateKafkaOptions): Kafka {
  if (opts.brokers.length === 0) throw new Error('createKafka: no brokers given');
  const level = envLevel() ?? opts.logLevel ?? 'error';
  const base = (opts.log ?? createLog({ level: 'debug' })).child('kafkajs');
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    ...kafkaSecurityOptions(opts.security, opts.env),
    logLevel: TO_KAFKAJS[level],
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: opts.retries ?? 10 },
    logCreator: () => (entry: LogEntry) => {
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(entry.log)) if (!DROP.has(k)) fields[k] = v;
      const log = base.child(entry.namespace || 'client');
      const msg = entry.log.message;
      // kafkajs logs every error *response* (e.g. "coordinator loading" while a broker starts) at
      // ERROR from its Connection layer and then retries it; the outcome is reported by the caller.
      // Likewise errors logged with a retryCount are retries in progress, not failures.
      const demote =
        entry.level === KafkaLogLevel.ERROR && (entry.namespace === 'Connection' || 'retryCount' in entry.log);
      if (demote) {
        if (level !== 'error') log.warn(msg, fields);
      } else if (entry.level <= KafkaLogLevel.ERROR) log.error(msg, fields);
      else if (entry.level === KafkaLogLevel.WARN) log.warn(msg, fields);
      else if (entry.level === KafkaLogLevel.INFO) log.info(msg, fields);
      else log.debug(msg, fields);
    },
  });
}
