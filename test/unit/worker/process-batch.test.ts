import { describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../../../src/contracts/anomaly.js';
import type { SeriesScores } from '../../../src/contracts/score.js';
import { DLQ_HEADERS } from '../../../src/contracts/topics.js';
import { readDeadLetter } from '../../../src/transport/dlq.js';
import { MemoryBus } from '../../../src/transport/memory-bus.js';
import { processBatch } from '../../../src/worker/process-batch.js';
import { SeriesTable } from '../../../src/worker/series-table.js';
import { type StubState, stubScorer } from './stub-scorer.js';

const topics = { scores: 'scores', anomalies: 'anomalies', dlq: 'dlq' };

function setup(opts: { emitScores?: boolean; maxPointsPerMessage?: number } = {}) {
  const bus = new MemoryBus(2);
  const table = new SeriesTable<StubState>({ maxSeries: 1000, ttlMs: 86_400_000, init: stubScorer.init });
  const run = (replay = false, maxMessages = 50) => {
    for (const b of bus.batches('metrics', { maxMessages, replay })) {
      const out = processBatch(b, {
        scorer: stubScorer,
        table,
        topics,
        emitScores: opts.emitScores ?? true,
        maxPointsPerMessage: opts.maxPointsPerMessage,
      });
      for (const tm of out.topicMessages) bus.append(tm.topic, tm.messages);
    }
  };
  return { bus, table, run };
}

const point = (source: string, ts: number, value: unknown) => ({ ts, source, metric: 'cpu', value });

describe('processBatch', () => {
  it('scores every good point, one SeriesScores message per series per batch, events for spikes', () => {
    const { bus, run } = setup();
    const msgs = [];
    for (let i = 0; i < 40; i++) {
      for (const s of ['a', 'b', 'c']) {
        msgs.push({ key: `${s}|cpu`, value: JSON.stringify(point(s, 1000 + i, s === 'b' && i === 20 ? 500 : 1)) });
      }
    }
    bus.append('metrics', msgs);
    run(false, 1000);
    const scores = bus.readJson<SeriesScores>('scores');
    const perSeries = new Map<string, number[]>();
    for (const s of scores) {
      const list = perSeries.get(s.source) ?? [];
      list.push(...s.points.map((p) => p.ts));
      perSeries.set(s.source, list);
      expect(Number(s.fromOffset)).toBeLessThanOrEqual(Number(s.toOffset));
    }
    for (const s of ['a', 'b', 'c']) expect(perSeries.get(s)).toEqual(Array.from({ length: 40 }, (_, i) => 1000 + i));
    // one message per series per batch (here: one batch per partition)
    expect(new Set(scores.map((s) => s.source)).size).toBe(scores.length);
    const events = bus.readJson<AnomalyEvent>('anomalies');
    expect(events.map((e) => e.id)).toEqual(['b|cpu|spike|1020']);
    expect(bus.read('anomalies')[0]?.key?.toString()).toBe('b|cpu');
  });

  it('dead-letters bad messages verbatim with the reason, and processes the good ones around them', () => {
    const { bus, run } = setup();
    const bad = ['{not json', '{"ts":1,"source":"a","metric":"cpu","value":"12"}', '{"ts":1,"source":"a"}', ''];
    const msgs = [];
    for (let i = 0; i < 10; i++) {
      msgs.push({ key: 'a|cpu', value: JSON.stringify(point('a', i, 1)) });
      if (i < bad.length) msgs.push({ key: 'a|cpu', value: bad[i] as string });
    }
    bus.append('metrics', msgs);
    run();
    const points = bus.readJson<SeriesScores>('scores').flatMap((s) => s.points);
    expect(points.map((p) => p.ts)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const dl = bus.read('dlq');
    expect(dl).toHaveLength(bad.length);
    const input = bus.read('metrics');
    for (const m of dl) {
      const info = readDeadLetter(m);
      expect(info?.stage).toBe('detect');
      expect(info?.topic).toBe('metrics');
      const orig = input.find((x) => x.offset === info?.offset);
      expect(Buffer.compare(m.value ?? Buffer.alloc(0), orig?.value ?? Buffer.alloc(0))).toBe(0);
      expect(m.key?.toString()).toBe('a|cpu');
    }
    const errors = dl.map((m) => m.headers?.[DLQ_HEADERS.error]?.toString());
    expect(errors[0]).toMatch(/invalid JSON/);
    expect(errors[1]).toMatch(/^value:/);
    expect(errors[2]).toMatch(/metric:/);
    expect(errors[3]).toMatch(/empty message/);
  });

  it('a replay slice updates state but emits nothing (not even dead letters)', () => {
    const { bus, table, run } = setup();
    bus.append('metrics', [
      { key: 'a|cpu', value: JSON.stringify(point('a', 1, 500)) },
      { key: 'a|cpu', value: 'garbage' },
      { key: 'a|cpu', value: JSON.stringify(point('a', 2, 4)) },
    ]);
    run(true);
    expect(bus.read('scores')).toHaveLength(0);
    expect(bus.read('anomalies')).toHaveLength(0);
    expect(bus.read('dlq')).toHaveLength(0);
    expect(table.peek('a|cpu')?.state).toEqual({ n: 2, sum: 504 });
  });

  it('emits no scores when emitScores is off, but still events', () => {
    const { bus, run } = setup({ emitScores: false });
    bus.append('metrics', [{ key: 'a|cpu', value: JSON.stringify(point('a', 1, 500)) }]);
    run();
    expect(bus.read('scores')).toHaveLength(0);
    expect(bus.read('anomalies')).toHaveLength(1);
  });

  it('splits a long series into several SeriesScores messages with their own offset ranges', () => {
    const { bus, run } = setup({ maxPointsPerMessage: 7 });
    bus.append(
      'metrics',
      Array.from({ length: 20 }, (_, i) => ({ key: 'a|cpu', value: JSON.stringify(point('a', i, 1)) })),
    );
    run();
    const scores = bus.readJson<SeriesScores>('scores');
    expect(scores.map((s) => s.points.length)).toEqual([7, 7, 6]);
    expect(scores.map((s) => [s.fromOffset, s.toOffset])).toEqual([
      ['0', '6'],
      ['7', '13'],
      ['14', '19'],
    ]);
  });

  it('dead-letters a point the scorer throws on and keeps going', () => {
    const bus = new MemoryBus(1);
    const table = new SeriesTable<StubState>({ maxSeries: 10, ttlMs: 1e12, init: stubScorer.init });
    const throwing = {
      ...stubScorer,
      update: (s: StubState, p: { ts: number; value: number | null }, m: Parameters<typeof stubScorer.update>[2]) => {
        if (p.value === 13) throw new RangeError('unlucky');
        return stubScorer.update(s, p, m);
      },
    };
    bus.append(
      'metrics',
      [1, 13, 2].map((v, i) => ({ key: 'a|cpu', value: JSON.stringify(point('a', i, v)) })),
    );
    const [b] = bus.batches('metrics');
    const out = processBatch(b as NonNullable<typeof b>, { scorer: throwing, table, topics, emitScores: true });
    expect(out.points).toBe(2);
    expect(out.dlq).toBe(1);
    const dlq = out.topicMessages.find((t) => t.topic === 'dlq');
    expect(String(dlq?.messages[0]?.headers?.[DLQ_HEADERS.error])).toContain('scorer failed: RangeError: unlucky');
  });

  it('counts messages whose key is not the series id', () => {
    const { bus, table } = setup();
    bus.append('metrics', [{ key: 'wrong', partition: 0, value: JSON.stringify(point('a', 1, 1)) }]);
    const [b] = bus.batches('metrics');
    const out = processBatch(b as NonNullable<typeof b>, { scorer: stubScorer, table, topics, emitScores: true });
    expect(out.keyMismatches).toBe(1);
  });
});

describe('processBatch with the faultline scorer', () => {
  it('gives the same events with and without score output (updateFast vs update), and replays silently', async () => {
    const { createSeriesScorer } = await import('../../../src/detect/index.js');
    const { loadPipeline } = await import('../../../src/config/load.js');
    const p = loadPipeline('pipelines/default.yaml', { env: {} });
    const scorer = createSeriesScorer({ detectors: p.detectors, ensemble: p.ensemble, alarms: p.alarms });
    const runOnce = (emitScores: boolean, replayFirstHalf = false) => {
      const bus = new MemoryBus(2);
      const table = new SeriesTable<ReturnType<typeof scorer.init>>({ maxSeries: 100, ttlMs: 1e12, init: scorer.init });
      const msgs = [];
      for (let i = 0; i < 400; i++) {
        for (const s of ['a', 'b']) {
          const v = 10 + Math.sin(i) + (i === 300 && s === 'a' ? 40 : 0);
          msgs.push({ key: `${s}|cpu`, value: JSON.stringify(point(s, 1_000_000 + i * 60_000, v)) });
        }
      }
      bus.append('metrics', msgs);
      for (const b of bus.batches('metrics', { maxMessages: 100 })) {
        const replay = replayFirstHalf && Number(b.messages[0]?.offset) < 200;
        const out = processBatch({ ...b, replay }, { scorer, table, topics, emitScores });
        for (const tm of out.topicMessages) bus.append(tm.topic, tm.messages);
      }
      return bus.readJson<AnomalyEvent>('anomalies');
    };
    const withScores = runOnce(true);
    expect(withScores.some((e) => e.source === 'a' && e.state === 'firing')).toBe(true);
    expect(runOnce(false)).toEqual(withScores);
    // replaying the first 200 points of each partition rebuilds the same state: the later events are identical
    const late = withScores.filter((e) => e.ts >= 1_000_000 + 100 * 60_000);
    expect(runOnce(true, true)).toEqual(late);
  });
});
