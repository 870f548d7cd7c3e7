import { describe, expect, it } from 'vitest';
import { DLQ_HEADERS } from '../../../src/contracts/topics.js';
import { deadLetterMessage, readDeadLetter } from '../../../src/transport/dlq.js';

describe('deadLetterMessage', () => {
  const original = {
    key: Buffer.from('h1|cpu'),
    value: Buffer.from([0x7b, 0xff, 0x00, 0x22]), // not even UTF-8
    headers: { trace: Buffer.from('abc') },
  };
  const at = new Date('2024-05-01T12:00:00Z');
  const dl = deadLetterMessage(original, {
    topic: 'faultline.metrics',
    partition: 4,
    offset: '12345',
    error: 'value: expected number, received string',
    stage: 'detect',
    at,
  });

  it('keeps the original key and value bytes verbatim', () => {
    expect(dl.key).toBe(original.key);
    expect(Buffer.compare(dl.value as Buffer, original.value)).toBe(0);
  });

  it('carries source topic, partition, offset, error, stage and time in headers', () => {
    expect(dl.headers?.[DLQ_HEADERS.topic]).toBe('faultline.metrics');
    expect(dl.headers?.[DLQ_HEADERS.partition]).toBe('4');
    expect(dl.headers?.[DLQ_HEADERS.offset]).toBe('12345');
    expect(dl.headers?.[DLQ_HEADERS.error]).toBe('value: expected number, received string');
    expect(dl.headers?.[DLQ_HEADERS.stage]).toBe('detect');
    expect(dl.headers?.[DLQ_HEADERS.at]).toBe('2024-05-01T12:00:00.000Z');
  });

  it('keeps the original headers', () => {
    expect(dl.headers?.trace).toEqual(Buffer.from('abc'));
  });

  it('round-trips through readDeadLetter (headers as Buffers, as consumed)', () => {
    const consumed = {
      headers: Object.fromEntries(
        Object.entries(dl.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v as string | Buffer))]),
      ),
    };
    expect(readDeadLetter(consumed)).toEqual({
      topic: 'faultline.metrics',
      partition: 4,
      offset: '12345',
      error: 'value: expected number, received string',
      stage: 'detect',
      at: '2024-05-01T12:00:00.000Z',
    });
  });

  it('keeps a null key and value (tombstone) as null', () => {
    const m = deadLetterMessage(
      { key: null, value: null },
      { topic: 't', partition: 0, offset: '0', error: 'e', stage: 's' },
    );
    expect(m.key).toBeNull();
    expect(m.value).toBeNull();
  });

  it('readDeadLetter returns null for a message without DLQ headers', () => {
    expect(readDeadLetter({ headers: {} })).toBeNull();
  });
});
