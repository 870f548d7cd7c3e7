import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IngestError } from '../../../src/ingest/errors.js';
import { buildDataset, SPLIT } from '../../../src/ml/dataset.js';
import { faultsBySource, readFaults } from '../../../src/ml/faults.js';
import { buildFrames } from '../../../src/ml/frames.js';
import { faultLabels } from '../../../src/ml/labels.js';
import { assignSplits, splitBounds } from '../../../src/ml/split.js';
import { smallData, tempDir } from './helpers.js';

const dir = tempDir();

describe('fault samples file', () => {
  it('reads JSONL fault samples (ISO or epoch times, severity defaults to critical)', async () => {
    const f = join(dir, 'faults.jsonl');
    writeFileSync(
      f,
      '{"source":"db-1","start":"2024-01-01T00:10:00Z","end":"2024-01-01T00:20:00Z","type":"node_failure","severity":"warning"}\n\n' +
        '{"source":"db-1","start":1704067200000,"end":1704067260000,"type":"resource_exhaustion"}\n',
    );
    const faults = await readFaults(f);
    expect(faults).toHaveLength(2);
    expect(faults[0]).toMatchObject({ start: Date.UTC(2024, 0, 1, 0, 10), severity: 'warning' });
    expect(faults[1]?.severity).toBe('critical');
    expect(
      faultsBySource(faults)
        .get('db-1')
        ?.map((x) => x.type),
    ).toEqual(['resource_exhaustion', 'node_failure']);
  });

  it('a bad line names the file, the line and the field', async () => {
    const f = join(dir, 'bad.jsonl');
    writeFileSync(
      f,
      '{"source":"a","start":0,"end":10,"type":"node_failure"}\n{"source":"a","start":0,"end":10,"type":"meteor"}\n',
    );
    const e = (await readFaults(f).catch((x: unknown) => x)) as IngestError;
    expect(e).toBeInstanceOf(IngestError);
    expect(e.line).toBe(2);
    expect(e.field).toBe('type');
    const g = join(dir, 'backwards.jsonl');
    writeFileSync(g, '{"source":"a","start":10,"end":0,"type":"node_failure"}\n');
    await expect(readFaults(g)).rejects.toThrow(/:1: end: end must not be before start/);
  });
});

describe('labels', () => {
  it('a window is positive for a fault type starting within (end, end + horizon]; ongoing and near masks', () => {
    const end = Float64Array.from([0, 10, 20, 30, 40, 50, 60]);
    const start = end.map((t) => t - 10);
    const faults = faultsBySource([
      { v: 1, source: 's', start: 30, end: 40, type: 'node_failure', severity: 'critical' },
    ]);
    const l = faultLabels({ n: 7, start, end, src: new Int32Array(7), sources: ['s'] }, faults, ['node_failure'], 20);
    expect([...l.y]).toEqual([0, 1, 1, 0, 0, 0, 0]);
    expect([...l.ongoing]).toEqual([0, 0, 0, 1, 1, 0, 0]);
    // window rows [t-10, t] overlap [start - horizon, end] = [10, 40]
    expect([...l.nearFault]).toEqual([0, 1, 1, 1, 1, 1, 0]);
  });
});

describe('time split', () => {
  it('no window uses rows or labels from a later split (purged boundaries, unknown-future tail dropped)', () => {
    const b = splitBounds(0, 1000, { train: 0.6, val: 0.2 });
    expect(b).toMatchObject({ trainEnd: 600, valEnd: 800 });
    const end = Float64Array.from({ length: 101 }, (_, i) => i * 10);
    const start = end.map((t) => t - 40);
    const h = 30;
    const s = assignSplits(start, end, b, h);
    for (let i = 0; i < end.length; i++) {
      const e = end[i] as number;
      const st = start[i] as number;
      if (s[i] === SPLIT.train) expect(e + h).toBeLessThan(600);
      if (s[i] === SPLIT.val) {
        expect(st).toBeGreaterThanOrEqual(600);
        expect(e + h).toBeLessThan(800);
      }
      if (s[i] === SPLIT.test) {
        expect(st).toBeGreaterThanOrEqual(800);
        expect(e + h).toBeLessThanOrEqual(1000);
      }
    }
    const count = (c: number) => s.filter((x) => x === c).length;
    expect(count(SPLIT.train)).toBeGreaterThan(50);
    expect(count(SPLIT.val)).toBeGreaterThan(5);
    expect(count(SPLIT.test)).toBeGreaterThan(5);
  });

  it('the dataset scaler ignores the validation and test periods', () => {
    const { data, ds } = smallData();
    const later = data.points.map((p) =>
      p.ts >= ds.bounds.trainEnd && p.value !== null ? { ...p, value: p.value * 100 } : p,
    );
    const ds2 = buildDataset(buildFrames(later), data.faults, { window: 8, horizonMs: data.horizonMs });
    expect(ds2.schema.scaler).toEqual(ds.schema.scaler);
    expect(ds.classes.length).toBeGreaterThan(0);
    expect(ds.x.length).toBe(ds.n * ds.D);
  });
});
