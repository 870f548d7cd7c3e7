import { resolveBrokers } from '../transport/brokers.js';
import { UsageError } from './errors.js';
import { readStartState } from './state.js';

/** Parse `--brokers host:port[,host:port]`. */
export function parseBrokerList(raw: string, what = '--brokers'): string[] {
  const list = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const bad = list.find((b) => !/^[^\s:]+:\d{1,5}$/.test(b));
  if (list.length === 0 || bad !== undefined) {
    throw new UsageError(`${what}: expected host:port[,host:port], got ${JSON.stringify(bad ?? raw)}`);
  }
  return list;
}

/**
 * Brokers for commands that talk to an existing cluster (replay, worker): `--brokers`, else the
 * pipeline's `kafka.brokers`, else $KAFKA_BROKERS, else the broker of a running `faultline start`.
 */
export function existingBrokers(flag: string | undefined, configured: string[]): string[] {
  if (flag) return parseBrokerList(flag);
  const resolved = resolveBrokers(configured);
  if (resolved) return resolved;
  const started = readStartState();
  if (started && started.brokers.length > 0) return started.brokers;
  throw new UsageError(
    'no Kafka brokers: pass --brokers host:port, set KAFKA_BROKERS, set kafka.brokers in the pipeline, or run `faultline start` first',
  );
}
