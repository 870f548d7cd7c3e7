import { describe, expect, it } from 'vitest';
import { log4jProperties, randomClusterId, serverProperties } from '../../../infra/kafka/config.js';
import { parseJavaMajor } from '../../../infra/kafka/tools.js';

function parse(props: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of props.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.indexOf('=');
    m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

describe('single-node KRaft server.properties', () => {
  const p = parse(
    serverProperties({ nodeId: 1, host: '127.0.0.1', brokerPort: 40001, controllerPort: 40002, logDir: '/d/logs' }),
  );

  it('runs broker and controller in one node on loopback', () => {
    expect(p.get('process.roles')).toBe('broker,controller');
    expect(p.get('controller.quorum.voters')).toBe('1@127.0.0.1:40002');
    expect(p.get('listeners')).toBe('PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002');
    expect(p.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:40001');
    expect(p.get('controller.listener.names')).toBe('CONTROLLER');
    expect(p.get('log.dirs')).toBe('/d/logs');
  });

  it('uses replication factor 1 for internal topics and no rebalance delay', () => {
    expect(p.get('offsets.topic.replication.factor')).toBe('1');
    expect(p.get('transaction.state.log.replication.factor')).toBe('1');
    expect(p.get('transaction.state.log.min.isr')).toBe('1');
    expect(p.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(p.get('num.partitions')).toBe('1');
  });

  it('logs through reload4j to stdout', () => {
    expect(log4jProperties()).toContain('log4j.appender.stdout=org.apache.log4j.ConsoleAppender');
  });
});

describe('helpers', () => {
  it('cluster ids are 22-char base64url, not starting with "-", and distinct', () => {
    const ids = Array.from({ length: 200 }, randomClusterId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('parses java -version output', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_392"')).toBe(8);
    expect(parseJavaMajor('openjdk version "21" 2023-09-19')).toBe(21);
    expect(parseJavaMajor('garbage')).toBeUndefined();
  });
});
