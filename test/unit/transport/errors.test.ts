import { describe, expect, it } from 'vitest';
import { DecodeError, isRetriable, ProduceError, StoppedError } from '../../../src/transport/errors.js';

describe('isRetriable', () => {
  it('uses the flag of faultline transport errors', () => {
    expect(isRetriable(new ProduceError('x', { retriable: true }))).toBe(true);
    expect(isRetriable(new ProduceError('x', { retriable: false }))).toBe(false);
    expect(isRetriable(new DecodeError('bad'))).toBe(false);
    expect(isRetriable(new StoppedError())).toBe(false);
  });

  it('treats kafkajs connection-type errors as transient even when kafkajs gave up', () => {
    const e = Object.assign(new Error('gave up'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false });
    expect(isRetriable(e)).toBe(true);
    expect(isRetriable(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }))).toBe(true);
  });

  it('follows kafkajs protocol errors own retriable flag', () => {
    const tooLarge = Object.assign(new Error('too large'), {
      name: 'KafkaJSProtocolError',
      type: 'MESSAGE_TOO_LARGE',
      retriable: false,
    });
    const notLeader = Object.assign(new Error('nl'), { name: 'KafkaJSProtocolError', retriable: true });
    expect(isRetriable(tooLarge)).toBe(false);
    expect(isRetriable(notLeader)).toBe(true);
  });

  it('does not retry plain bugs', () => {
    expect(isRetriable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isRetriable('string')).toBe(false);
  });

  it('errors carry their class name', () => {
    expect(new ProduceError('x', { retriable: true }).name).toBe('ProduceError');
  });
});
