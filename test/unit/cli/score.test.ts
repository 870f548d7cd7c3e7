import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScore } from '../../../src/cli/commands/score.js';
import type { ScoreLine } from '../../../src/cli/offline-score.js';
import { run } from '../../../src/cli/program.js';
import { createRng } from '../../../src/sim/random.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 0, 1);
const STEP = 60_000;
const ROWS = 300;
const SPIKE = 200;
const MISSING = 100;

/** cpu ~ N(50, 1) with a +12σ spike at row SPIKE; latency ~ N(100, 5) with a missing cell at row MISSING. */
function spikeCsv(): string {
  const rng = createRng(1);
  const lines = ['timestamp,cpu,latency_ms'];
  for (let i = 0; i < ROWS; i++) {
    const cpu = 50 + rng.normal() + (i === SPIKE ? 12 : 0);
    const latency = i === MISSING ? '' : (100 + 5 * rng.normal()).toFixed(2);
    lines.push(`${new Date(T0 + i * STEP).toISOString()},${cpu.toFixed(3)},${latency}`);
  }
  const file = join(dir, 'host.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const readLines = (file: string): ScoreLine[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ScoreLine);

describe('faultline score', () => {
  const csv = spikeCsv();

  it('writes one line per input row, flags the spike row, and the combined score is the max over metrics', async () => {
    const out = join(dir, 'scores.jsonl');
    const summary = await runScore(csv, { out, pipeline: 'pipelines/default.yaml' });
    const lines = readLines(out);
    expect(lines).toHaveLength(ROWS);
    expect(summary.rows).toBe(ROWS);
    expect(lines.map((l) => l.ts)).toEqual(Array.from({ length: ROWS }, (_, i) => T0 + i * STEP));
    const spike = lines[SPIKE]!;
    expect(spike.anomaly).toBe(true);
    expect(spike.reason).toContain('cpu');
    expect(spike.scores.cpu).toBeGreaterThanOrEqual(0.6);
    for (const l of lines) {
      expect(Object.keys(l.scores).sort()).toEqual(['cpu', 'latency_ms']);
      expect(l.score).toBe(Math.max(...Object.values(l.scores)));
      for (const s of Object.values(l.scores)) expect(s >= 0 && s <= 1).toBe(true);
      if (!l.anomaly) expect(l).not.toHaveProperty('reason');
    }
    // a missing cell scores 0 and does not break the row
    expect(lines[MISSING]?.scores.latency_ms).toBe(0);
    // detectors warm up before scoring: nothing is flagged in the first rows
    expect(lines.slice(0, 30).some((l) => l.anomaly)).toBe(false);
  });

  it('runs through the CLI entry (score <file> --out) with exit code 0', async () => {
    const out = join(dir, 'cli.jsonl');
    expect(await run(['node', 'faultline', 'score', csv, '--out', out])).toBe(0);
    expect(readLines(out)).toHaveLength(ROWS);
  });

  it('JSONL in: points with the same timestamp form one row; several sources are keyed source|metric', async () => {
    const file = join(dir, 'points.jsonl');
    const points: string[] = [];
    for (let i = 0; i < 50; i++) {
      for (const source of ['a', 'b']) {
        points.push(JSON.stringify({ ts: T0 + i * STEP, source, metric: 'cpu', value: 10 + (i % 3) }));
      }
    }
    writeFileSync(file, `${points.join('\n')}\n`);
    const out = join(dir, 'points.out.jsonl');
    const summary = await runScore(file, { out });
    const lines = readLines(out);
    expect(summary.rows).toBe(50);
    expect(Object.keys(lines[0]!.scores).sort()).toEqual(['a|cpu', 'b|cpu']);
  });

  it('a bad cell stops with the file, line and column', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'timestamp,cpu\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,lots\n');
    await expect(runScore(file, { out: join(dir, 'bad.out.jsonl') })).rejects.toThrow(
      `${file}:3: cpu: expected a number`,
    );
  });
});
