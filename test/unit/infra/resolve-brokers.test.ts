import { describe, expect, it } from 'vitest';
import { resolveBrokers } from '../../../src/transport/brokers.js';

describe('resolveBrokers', () => {
  it('prefers the configured list', () => {
    expect(resolveBrokers(['a:9092', ' b:9092 '], { KAFKA_BROKERS: 'env:9092' })).toEqual(['a:9092', 'b:9092']);
  });

  it('falls back to KAFKA_BROKERS split on commas', () => {
    expect(resolveBrokers([], { KAFKA_BROKERS: 'x:1, y:2,,' })).toEqual(['x:1', 'y:2']);
  });

  it('returns null (start a local broker) when neither is set', () => {
    expect(resolveBrokers([], {})).toBeNull();
    expect(resolveBrokers(['', ' '], { KAFKA_BROKERS: ' ' })).toBeNull();
  });

  it('reads process.env by default', () => {
    const saved = process.env['KAFKA_BROKERS'];
    process.env['KAFKA_BROKERS'] = 'p:9';
    try {
      expect(resolveBrokers([])).toEqual(['p:9']);
    } finally {
      if (saved === undefined) delete process.env['KAFKA_BROKERS'];
      else process.env['KAFKA_BROKERS'] = saved;
    }
  });
});
