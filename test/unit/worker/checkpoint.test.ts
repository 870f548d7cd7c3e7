import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../../src/config/load.js';
import { createSeriesScorer } from '../../../src/detect/index.js';
import type { Log } from '../../../src/transport/log.js';
import { silentLog } from '../../../src/transport/log.js';
import type { BatchedProducer } from '../../../src/transport/producer.js';
import { Checkpointer } from '../../../src/worker/checkpoint.js';
import { RestoreCollector } from '../../../src/worker/restore.js';
import { SeriesTable } from '../../../src/worker/series-table.js';

interface Sent {
  topic: string;
  messages: Message[];
}

function fakeProducer(fail = () => false): { producer: BatchedProducer; sent: Sent[] } {
  const sent: Sent[] = [];
  const producer = {
    send: async (topic: string, messages: Message[]) => {
      if (fail()) throw new Error('broker down');
      sent.push({ topic, messages });
    },
  } as unknown as BatchedProducer;
  return { producer, sent };
}

function setup(o: { fail?: () => boolean; log?: Log } = {}) {
  let checkpointer: Checkpointer | undefined;
  const table = new SeriesTable<unknown>({
    maxSeries: 3,
    ttlMs: 1e15,
    init: () => ({ n: 0 }),
    now: () => 0,
    onDrop: (id, e) => checkpointer?.dropped(id, e.partition),
  });
  const { producer, sent } = fakeProducer(o.fail);
  let generation = 1;
  const owned = new Set([0, 1]);
  checkpointer = new Checkpointer({
    producer,
    topic: 'state',
    statePartitions: 2,
    table,
    log: o.log ?? silentLog,
    generation: () => generation,
    owns: (p) => owned.has(p),
    now: () => 42,
  });
  const touch = (id: string, partition: number, offset: number) => {
    const e = table.acquire(id, partition);
    (e.state as { n: number }).n++;
    table.observe(e, 1000 + offset);
    cp().processed(partition, offset);
  };
  const cp = () => checkpointer as Checkpointer;
  return {
    table,
    sent,
    cp,
    touch,
    bumpGeneration: () => {
      generation++;
    },
  };
}

const keys = (s: Sent) => s.messages.map((m) => m.key);
const value = (m: Message | undefined) => JSON.parse(String(m?.value));

describe('Checkpointer', () => {
  it('writes the series touched since the last checkpoint, then the marker, once the input is delivered', async () => {
    const { sent, cp, touch } = setup();
    cp().reset(0, 0);
    touch('a|cpu', 0, 0);
    touch('b|cpu', 0, 1);
    const done = cp().checkpoint([0]);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([]); // offsets 0..1 not delivered yet
    cp().committed(0, 2);
    await done;
    expect(sent.map(keys)).toEqual([['a|cpu', 'b|cpu'], ['checkpoint#0']]);
    expect(value(sent[0]?.messages[0])).toEqual({
      v: 1,
      kind: 'series',
      partition: 0,
      offset: '1',
      ts: 42,
      lastTs: 1000,
      state: { n: 1 },
    });
    expect(sent[0]?.messages[0]?.partition).toBe(0);
    expect(value(sent[1]?.messages[0])).toEqual({
      v: 1,
      kind: 'checkpoint',
      partition: 0,
      offset: '1',
      ts: 42,
      series: 2,
    });

    // nothing new: nothing written; one series touched: only it
    await cp().checkpoint();
    expect(sent).toHaveLength(2);
    touch('b|cpu', 0, 2);
    cp().committed(0, 3);
    await cp().checkpoint();
    expect(sent.slice(2).map(keys)).toEqual([['b|cpu'], ['checkpoint#0']]);
    expect(cp().stats).toMatchObject({ checkpoints: 2, checkpointRecords: 3, checkpointFailures: 0 });
  });

  it('abandons a checkpoint when the group generation changed before it could be written', async () => {
    const { sent, cp, touch, bumpGeneration } = setup();
    cp().reset(1, 0);
    touch('a|cpu', 1, 0);
    const done = cp().checkpoint([1]);
    bumpGeneration();
    cp().committed(1, 1);
    await done;
    expect(sent).toEqual([]);
  });

  it('evicted series become tombstones; a failed write makes the next checkpoint write the whole partition', async () => {
    let failing = true;
    const { sent, cp, touch, table } = setup({ fail: () => failing });
    cp().reset(0, 0);
    for (const [i, id] of ['a|cpu', 'b|cpu', 'c|cpu', 'd|cpu'].entries()) touch(id, 0, i); // maxSeries 3: a evicted
    expect(table.peek('a|cpu')).toBeUndefined();
    cp().committed(0, 4);
    await cp().checkpoint();
    expect(sent).toEqual([]);
    expect(cp().stats.checkpointFailures).toBe(1);
    failing = false;
    touch('d|cpu', 0, 4);
    cp().committed(0, 5);
    await cp().checkpoint();
    expect(sent[0]?.messages.map((m) => [m.key, m.value === null])).toEqual([
      ['a|cpu', true],
      ['b|cpu', false],
      ['c|cpu', false],
      ['d|cpu', false],
    ]);
  });

  it('a revoked partition is not written', async () => {
    const { sent, cp, touch } = setup();
    cp().reset(0, 0);
    touch('a|cpu', 0, 0);
    const done = cp().checkpoint([0]);
    cp().revoke(0);
    await done;
    expect(sent).toEqual([]);
  });
});

describe('checkpointed state of the faultline scorer', () => {
  it('a series restored from its changelog record scores the rest of the stream exactly as the uninterrupted series', async () => {
    const p = loadPipeline('pipelines/default.yaml', { env: {} });
    const scorer = createSeriesScorer({ detectors: p.detectors, ensemble: p.ensemble, alarms: p.alarms });
    const meta = { source: 'host', metric: 'cpu' };
    let s = 7;
    const rnd = () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    const points = Array.from({ length: 3000 }, (_, i) => ({
      ts: 1_700_000_000_000 + i * 60_000,
      value: 50 + 10 * Math.sin(i / 50) + rnd() * 3 + (i % 700 === 650 ? 30 : 0) + (i === 1500 ? -1e-300 : 0),
    }));
    const uninterrupted = scorer.init();
    const want = points.map((pt) => scorer.update(uninterrupted, pt, meta));

    // the same stream, checkpointed at 1,234 through a Checkpointer, restored through a RestoreCollector
    const { producer, sent } = fakeProducer();
    const table = new SeriesTable<unknown>({ maxSeries: 10, ttlMs: 1e15, init: () => scorer.init() });
    const cp = new Checkpointer({
      producer,
      topic: 'state',
      statePartitions: 1,
      table,
      log: silentLog,
      generation: () => 1,
      owns: () => true,
    });
    cp.reset(0, 0);
    const e = table.acquire('host|cpu', 0);
    for (let i = 0; i < 1234; i++) scorer.update(e.state as never, points[i] as (typeof points)[0], meta);
    cp.processed(0, 1233);
    cp.committed(0, 1234);
    await cp.checkpoint();
    const collector = new RestoreCollector(0);
    for (const batch of sent) for (const m of batch.messages) collector.add(String(m.key), String(m.value));
    const plan = collector.plan(1234, (raw) => scorer.revive(raw) === raw);
    expect(plan.kind).toBe('restore');
    if (plan.kind !== 'restore') return;
    expect(plan.resumeFrom).toBe(1234);
    const restored = scorer.revive(plan.series[0]?.state);
    for (let i = 1234; i < points.length; i++) {
      expect(scorer.update(restored, points[i] as (typeof points)[0], meta), `point ${i}`).toEqual(want[i]);
    }
  });
});
