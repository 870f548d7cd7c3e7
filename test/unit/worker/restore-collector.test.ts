import { describe, expect, it } from 'vitest';
import { markerKey } from '../../../src/worker/changelog-record.js';
import { RestoreCollector } from '../../../src/worker/restore.js';

const series = (partition: number, offset: number, state: unknown = { k: 'A', n: offset }) =>
  JSON.stringify({ v: 1, kind: 'series', partition, offset: String(offset), ts: 1, lastTs: 1000 + offset, state });
const marker = (partition: number, offset: number) =>
  JSON.stringify({ v: 1, kind: 'checkpoint', partition, offset: String(offset), ts: 1, series: 1 });
const fits = (s: unknown) => (s as { k?: string }).k === 'A';

describe('RestoreCollector', () => {
  it('restores the newest state of every series and resumes after the newest checkpoint marker', () => {
    const c = new RestoreCollector(3);
    c.add('a|cpu', series(3, 10));
    c.add('b|cpu', series(3, 10));
    c.add(markerKey(3), marker(3, 10));
    c.add('a|cpu', series(3, 25));
    c.add(markerKey(3), marker(3, 25));
    const plan = c.plan(40, fits);
    expect(plan.kind).toBe('restore');
    if (plan.kind !== 'restore') return;
    expect(plan.resumeFrom).toBe(26);
    const byId = Object.fromEntries(plan.series.map((s) => [s.id, s]));
    expect(byId['a|cpu']).toEqual({ id: 'a|cpu', state: { k: 'A', n: 25 }, lastTs: 1025, skipUntil: -1 });
    // b did not change after offset 10: its state is valid at 25 too
    expect(byId['b|cpu']?.state).toEqual({ k: 'A', n: 10 });
  });

  it('a series record beyond the marker (checkpoint interrupted before its marker) skips the input it holds', () => {
    const c = new RestoreCollector(0);
    c.add('a|cpu', series(0, 10));
    c.add(markerKey(0), marker(0, 10));
    c.add('a|cpu', series(0, 18)); // its marker never made it
    const plan = c.plan(20, fits);
    expect(plan.kind === 'restore' && plan.resumeFrom).toBe(11);
    expect(plan.kind === 'restore' && plan.series[0]?.skipUntil).toBe(18);
  });

  it('the record covering the highest offset wins (a late write of an older state cannot roll a series back)', () => {
    const c = new RestoreCollector(0);
    c.add('a|cpu', series(0, 30));
    c.add(markerKey(0), marker(0, 30));
    c.add('a|cpu', series(0, 12)); // a member that lost the partition wrote late
    c.add(markerKey(0), marker(0, 12));
    const plan = c.plan(50, fits);
    expect(plan.kind === 'restore' && plan.resumeFrom).toBe(31);
    expect(plan.kind === 'restore' && plan.series[0]?.state).toEqual({ k: 'A', n: 30 });
  });

  it('tombstones delete series; records of other partitions and foreign keys are ignored', () => {
    const c = new RestoreCollector(1);
    c.add('a|cpu', series(1, 5));
    c.add('b|cpu', series(1, 5));
    c.add('c|cpu', series(2, 5)); // partition 2 shares this changelog partition
    c.add(markerKey(2), marker(2, 99));
    c.add('b|cpu', null);
    c.add(markerKey(1), marker(1, 5));
    const plan = c.plan(6, fits);
    expect(plan.kind === 'restore' && plan.series.map((s) => s.id)).toEqual(['a|cpu']);
    expect(plan.kind === 'restore' && plan.resumeFrom).toBe(6);
  });

  it('no marker: nothing to restore (rebuild by replay)', () => {
    const c = new RestoreCollector(0);
    expect(c.plan(10, fits)).toEqual({ kind: 'none', reason: 'partition 0: no checkpoint yet' });
    c.add('a|cpu', series(0, 4));
    expect(c.plan(10, fits)).toMatchObject({
      kind: 'none',
      reason: expect.stringMatching(/without a checkpoint marker/),
    });
  });

  it('refuses state made by another detector configuration, naming how many and an example', () => {
    const c = new RestoreCollector(0, 'faultline.state for partition 0');
    c.add('a|cpu', series(0, 4, { k: 'B' }));
    c.add('b|cpu', series(0, 4));
    c.add(markerKey(0), marker(0, 4));
    const plan = c.plan(10, fits);
    expect(plan).toEqual({
      kind: 'refused',
      refused: 1,
      reason:
        'faultline.state for partition 0: 1 of 2 checkpointed series states (e.g. a|cpu) were made by a different detector configuration or version (state fingerprint mismatch)',
    });
  });

  it('refuses records of an unknown format version and unreadable records', () => {
    const v2 = new RestoreCollector(0);
    v2.add('a|cpu', JSON.stringify({ v: 2, kind: 'series', partition: 0 }));
    v2.add(markerKey(0), marker(0, 4));
    expect(v2.plan(10, fits)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/format .* version 1/) });
    const bad = new RestoreCollector(0);
    bad.add('a|cpu', '{not json');
    bad.add('b|cpu', JSON.stringify({ v: 1, kind: 'series', partition: 0, offset: 'x' }));
    expect(bad.plan(10, fits)).toMatchObject({
      kind: 'refused',
      refused: 2,
      reason: expect.stringMatching(
        /2 unreadable changelog record\(s\) \(a\|cpu: not JSON; b\|cpu: offset: expected a decimal offset/,
      ),
    });
  });

  it('refuses a checkpoint ahead of the offset the group resumes at', () => {
    const c = new RestoreCollector(0);
    c.add(markerKey(0), marker(0, 50));
    expect(c.plan(20, fits)).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/offsets reset/) });
    expect(c.plan(51, fits).kind).toBe('restore');
  });
});
