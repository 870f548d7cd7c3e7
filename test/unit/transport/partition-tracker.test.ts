import { describe, expect, it } from 'vitest';
import { PartitionTracker } from '../../../src/transport/partition-tracker.js';

const msgs = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ offset: String(from + i) }));
const offs = (ms: { offset: string }[]) => ms.map((m) => Number(m.offset));

describe('PartitionTracker', () => {
  it('a never-seen partition is cold; a contiguous next batch is warm', () => {
    const t = new PartitionTracker();
    expect(t.check('m', 0, '0')).toEqual({ cold: true, reason: 'newly assigned' });
    t.start('m', 0, '0');
    t.advance('m', 0, '9');
    expect(t.check('m', 0, '10')).toEqual({ cold: false });
  });

  it('a forward jump in offsets is cold (someone else processed the gap)', () => {
    const t = new PartitionTracker();
    t.start('m', 0, '0');
    t.advance('m', 0, '9');
    const c = t.check('m', 0, '15');
    expect(c.cold).toBe(true);
  });

  it('skips messages this process already delivered (redelivery after a lost commit)', () => {
    const t = new PartitionTracker();
    t.start('m', 0, '0');
    t.advance('m', 0, '9');
    expect(t.check('m', 0, '5')).toEqual({ cold: false });
    const { replay, live } = t.split('m', 0, msgs(5, 14));
    expect(replay).toEqual([]);
    expect(offs(live)).toEqual([10, 11, 12, 13, 14]);
  });

  it('splits replay (below the resume point) from live messages and ends the replay', () => {
    const t = new PartitionTracker();
    t.start('m', 1, '0', '7');
    expect(t.replaying('m', 1)).toBe(true);
    const a = t.split('m', 1, msgs(0, 4));
    expect(offs(a.replay)).toEqual([0, 1, 2, 3, 4]);
    expect(a.live).toEqual([]);
    t.advance('m', 1, '4');
    expect(t.replaying('m', 1)).toBe(true);
    const b = t.split('m', 1, msgs(5, 9));
    expect(offs(b.replay)).toEqual([5, 6]);
    expect(offs(b.live)).toEqual([7, 8, 9]);
    t.advance('m', 1, '9');
    expect(t.replaying('m', 1)).toBe(false);
  });

  it('retain() forgets partitions that left the assignment', () => {
    const t = new PartitionTracker();
    t.start('m', 0, '0');
    t.start('m', 1, '0');
    t.start('x', 0, '0');
    expect(t.retain({ m: [1] })).toEqual([
      { topic: 'm', partition: 0 },
      { topic: 'x', partition: 0 },
    ]);
    expect(t.check('m', 0, '0').cold).toBe(true);
    expect(t.check('m', 1, '0').cold).toBe(false);
  });
});
