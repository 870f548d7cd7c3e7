import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ActualEvents, Backtest, compareEvents, feedFile } from '../../../src/backtest/index.js';
import { runBacktest } from '../../../src/cli/commands/backtest.js';
import { loadPipeline } from '../../../src/config/load.js';

const T0 = Date.UTC(2024, 0, 1);
const STEP = 60_000;

/** 6 series × 600 points a minute, seeded noise, one +15 spike per series (at 340 + 40·k) */
function history(): string {
  const lines: string[] = [];
  let s = 1;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  for (let i = 0; i < 600; i++) {
    for (let k = 0; k < 6; k++) {
      const value = 40 + k + (rnd() + rnd() + rnd() - 1.5) + (i === 340 + 40 * k ? 15 : 0);
      lines.push(JSON.stringify({ ts: T0 + i * STEP, source: `node-${k}`, metric: 'load', value }));
    }
  }
  return `${lines.join('\n')}\n`;
}

describe('faultline backtest over a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-backtest-'));
  const file = join(dir, 'history.jsonl');
  writeFileSync(file, history());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (extra: { json?: boolean; events?: string } = {}) => {
    let out = '';
    const report = await runBacktest({ from: file, pipeline: 'pipelines/default.yaml', ...extra }, (s) => {
      out += s;
    });
    return { out, report };
  };

  it('reports what the pipeline would have flagged; two runs print byte-identical output', async () => {
    const a = await run({ json: true });
    const b = await run({ json: true });
    expect(b.out).toBe(a.out);
    const r = a.report;
    expect(r.input).toMatchObject({
      points: 3600,
      series: 6,
      invalidMessages: 0,
      firstTs: T0,
      lastTs: T0 + 599 * STEP,
    });
    // every injected spike flagged (by both rules: anomaly and critical), nothing else
    const firing = r.events.filter((e) => e.state === 'firing');
    expect([...new Set(firing.map((e) => `${e.source}@${e.ts}`))]).toEqual(
      Array.from({ length: 6 }, (_, k) => `node-${k}@${T0 + (340 + 40 * k) * STEP}`),
    );
    expect(r.flagged).toMatchObject({
      firing: 12,
      resolved: 12,
      series: 6,
      byRule: { anomaly: 6, critical: 6 },
      bySeverity: { critical: 6, warning: 6 },
    });
    expect(r.series[0]).toEqual({ series: 'node-0|load', points: 600, firing: 2, resolved: 2 });
    expect(JSON.parse(a.out)).toEqual(JSON.parse(JSON.stringify(r)));
    // the text form is deterministic too
    expect((await run()).out).toBe((await run()).out);
  });

  it('given the events that happened, reports the difference: none when they are its own', async () => {
    const first = await run({ json: true });
    const events = join(dir, 'events.jsonl');
    writeFileSync(events, `${first.report.events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const same = await run({ json: true, events });
    expect(same.report.comparison).toMatchObject({
      actualInScope: 24,
      matched: 24,
      identical: true,
      onlyBacktest: [],
      onlyActual: [],
      differing: [],
    });
    // what happened differs: one event gone, one changed, one extra (and one outside the input: ignored)
    const [gone, changed, ...rest] = first.report.events;
    const actual = [
      ...rest,
      { ...changed, score: 0.5, reason: 'edited' },
      { ...gone, id: 'node-9|load:anomaly:1', source: 'node-9' },
      { ...gone, id: 'node-0|load:anomaly:123', ts: T0 + 10 * STEP, startedAt: T0 + 10 * STEP },
    ];
    writeFileSync(events, `${actual.map((e) => JSON.stringify(e)).join('\n')}\nnot json\n`);
    const diff = await run({ json: true, events });
    expect(diff.report.comparison).toMatchObject({
      actualRead: 25,
      actualInScope: 24,
      invalid: 1,
      matched: 22,
      identical: false,
      onlyBacktest: [gone?.id],
      onlyActual: ['node-0|load:anomaly:123'],
      differing: [{ id: changed?.id, fields: ['reason', 'score'] }],
    });
    const text = (await run({ events })).out;
    expect(text).toMatch(/would be NEW \(1\):/);
    expect(text).toMatch(/would be GONE \(1\):\n {4}node-0\|load:anomaly:123/);
    expect(text).toMatch(/would DIFFER \(1\):\n {4}.*: reason, score/);
  });

  it('a window reports only decisions within it; history before it trains the detectors', async () => {
    const pipeline = loadPipeline('pipelines/default.yaml', { env: {} });
    const whole = new Backtest(pipeline);
    await feedFile(whole, file);
    const all = whole.finish();
    const start = T0 + 400 * STEP;
    const end = T0 + 500 * STEP;
    const windowed = new Backtest(pipeline, { start, end });
    await feedFile(windowed, file);
    const w = windowed.finish();
    expect(w.input.points).toBe(6 * 500);
    expect(w.input.warmupPoints).toBe(6 * 400);
    // exactly the whole run's decisions within the window (warm state, same ids)
    expect(w.events).toEqual(all.events.filter((e) => e.ts >= start && e.ts < end));
    expect(w.events.length).toBeGreaterThan(0);
    const actual = new ActualEvents();
    for (const e of all.events) actual.add(JSON.stringify(e));
    expect(compareEvents(w, actual, 'x')).toMatchObject({ identical: true, matched: w.events.length });
  });
});
