import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../../src/contracts/metric.js';
import { startDemo } from '../../../src/sim/demo.js';
import { nabTicks } from '../../../src/sim/nab.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nabTicks', () => {
  it('replays a NAB-style CSV as one-point ticks, looping with data time moving forward', async () => {
    const file = join(dir, 'series.csv');
    writeFileSync(file, 'timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,2\n2014-01-01 00:10:00,3\n');
    const ts: number[] = [];
    for await (const tick of nabTicks(file, { loop: true, source: 's', metric: 'm' })) {
      expect(tick).toHaveLength(1);
      expect(tick[0]).toMatchObject({ source: 's', metric: 'm' });
      ts.push(tick[0]?.ts as number);
      if (ts.length === 7) break;
    }
    const step = 5 * 60_000;
    const t0 = Date.UTC(2014, 0, 1);
    expect(ts).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => t0 + i * step));
  });
});

describe('startDemo', () => {
  it('sends every tick to the sink and keeps going after a failed send', async () => {
    const sent: MetricPoint[][] = [];
    let calls = 0;
    const sink = {
      async sendPoints(topic: string, points: MetricPoint[]) {
        expect(topic).toBe('t');
        if (++calls === 2) throw new Error('broker away');
        sent.push(points);
      },
    };
    const ticks = [1, 2, 3, 4, 5].map((i) => [{ v: 1 as const, ts: i, source: 's', metric: 'm', value: i }]);
    const logs: string[] = [];
    const demo = startDemo({
      sink,
      topic: 't',
      ticks: ticks[Symbol.iterator](),
      ticksPerSecond: 20,
      log: (m) => logs.push(m),
    });
    await demo.done;
    expect(sent.flat().map((p) => p.value)).toEqual([1, 2, 3, 4, 5]);
    expect(demo.sent()).toBe(5);
    expect(logs.join()).toContain('broker away');
  });

  it('stop() ends an infinite demo', async () => {
    function* forever() {
      for (let i = 0; ; i++) yield [{ v: 1 as const, ts: i, source: 's', metric: 'm', value: i }];
    }
    const demo = startDemo({ sink: { sendPoints: async () => {} }, topic: 't', ticks: forever(), ticksPerSecond: 100 });
    await new Promise((r) => setTimeout(r, 250));
    await demo.stop();
    expect(demo.sent()).toBeGreaterThan(0);
  });
});
