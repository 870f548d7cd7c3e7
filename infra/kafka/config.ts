import { randomBytes } from 'node:crypto';

export interface BrokerLayout {
  nodeId: number;
  host: string;
  brokerPort: number;
  controllerPort: number;
  /** Folder for the partition logs and KRaft metadata log. */
  logDir: string;
}

/** A Kafka cluster id: 16 random bytes, base64url without padding (22 chars), never starting with '-'. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\');
}

/**
 * server.properties for one JVM acting as broker and controller (KRaft), on loopback,
 * tuned for fast tests on a small machine.
 */
export function serverProperties(l: BrokerLayout): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': l.nodeId,
    'controller.quorum.voters': `${l.nodeId}@${l.host}:${l.controllerPort}`,
    listeners: `PLAINTEXT://${l.host}:${l.brokerPort},CONTROLLER://${l.host}:${l.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${l.host}:${l.brokerPort}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'log.dirs': escapeValue(l.logDir),
    // One node: every internal topic must have replication factor 1 or groups never find a coordinator.
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 4,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 4,
    // Fast tests: no rebalance delay, short sessions allowed (worker-kill tests), topics made explicitly.
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1000,
    'auto.create.topics.enable': true,
    'delete.topic.enable': true,
    // Small machine.
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'background.threads': 4,
    'log.retention.hours': 24,
    'log.retention.check.interval.ms': 60_000,
  };
  const lines = Object.entries(props).map(([k, v]) => `${k}=${v}`);
  return `# written by faultline infra/kafka (single-node KRaft, loopback only)\n${lines.join('\n')}\n`;
}

/** reload4j config: everything to stdout, which the launcher sends to the log file. */
export function log4jProperties(): string {
  return [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.kafka.network.RequestChannel$=WARN',
    'log4j.logger.state.change.logger=WARN',
    'log4j.logger.kafka.authorizer.logger=WARN',
    'log4j.logger.kafka.log.LogCleaner=WARN',
    'log4j.logger.org.apache.kafka.storage.internals.log.LogCleaner=WARN',
    '',
  ].join('\n');
}
