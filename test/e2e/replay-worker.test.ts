import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AnomalyEvent, MetricMessage, type MetricPoint, seriesId } from '../../src/contracts/index.js';
import { createRng } from '../../src/sim/random.js';
import { testBrokers } from '../helpers/kafka.js';
import { cleanEnv, ROOT, spawnCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-e2e-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 400;
const SPIKE = 300;
const T0 = Date.UTC(2024, 0, 1);

/** A CSV of two metrics of source "host-7" with a +12σ spike on cpu at row SPIKE. */
function spikeCsv(): string {
  const rng = createRng(11);
  const lines = ['timestamp,cpu,mem'];
  for (let i = 0; i < ROWS; i++) {
    const cpu = 50 + rng.normal() + (i === SPIKE ? 12 : 0);
    lines.push(`${new Date(T0 + i * 60_000).toISOString()},${cpu.toFixed(3)},${(70 + rng.normal()).toFixed(3)}`);
  }
  const file = join(dir, 'metrics.csv');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function isolatedPipeline(run: string): string {
  const p = parse(readFileSync(join(ROOT, 'pipelines/default.yaml'), 'utf8'));
  p.name = run;
  p.topics = {
    partitions: 2,
    metrics: `${run}.metrics`,
    scores: `${run}.scores`,
    anomalies: `${run}.anomalies`,
    dlq: `${run}.dlq`,
  };
  p.worker = { ...p.worker, groupId: `${run}-detect` };
  const file = join(dir, `${run}.yaml`);
  writeFileSync(file, stringify(p));
  return file;
}

describe('faultline replay + faultline worker on the real broker', () => {
  it('replays every CSV cell as a keyed MetricPoint, and the worker turns the spike into an anomaly event', async () => {
    const brokers = testBrokers();
    const run = `e2e-replay-${process.pid}-${Date.now()}`;
    const pipeline = isolatedPipeline(run);
    const env = cleanEnv({ KAFKA_BROKERS: brokers.join(',') });

    const worker = spawnCli(['worker', '--pipeline', pipeline], env);
    try {
      const replay = spawnCli(
        ['replay', spikeCsv(), '--source', 'host-7', '--pipeline', pipeline, '--speed', '0'],
        env,
      );
      expect(await replay.exited, replay.stderr()).toBe(0);
      expect(replay.stderr()).toContain(`replayed ${ROWS * 2} points (${ROWS} rows)`);

      const kafka = new Kafka({ clientId: run, brokers, logLevel: logLevel.NOTHING });
      const consumer = kafka.consumer({ groupId: `${run}-check` });
      const points: MetricPoint[] = [];
      const events: AnomalyEvent[] = [];
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [`${run}.metrics`, `${run}.anomalies`], fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ topic, message }) => {
            const json = JSON.parse(String(message.value));
            if (topic === `${run}.metrics`) {
              // a metrics message is one point or a batch of one series' points
              for (const p of [MetricMessage.parse(json)].flat()) {
                expect(String(message.key)).toBe(seriesId(p.source, p.metric));
                points.push(p);
              }
            } else {
              events.push(AnomalyEvent.parse(json));
            }
          },
        });
        const deadline = Date.now() + 90_000;
        const spikeTs = T0 + SPIKE * 60_000;
        while (Date.now() < deadline) {
          if (points.length >= ROWS * 2 && events.some((e) => e.state === 'firing' && e.ts === spikeTs)) break;
          await new Promise((r) => setTimeout(r, 500));
        }
        expect(points).toHaveLength(ROWS * 2);
        expect(new Set(points.map((p) => `${p.source}/${p.metric}`))).toEqual(new Set(['host-7/cpu', 'host-7/mem']));
        const spike = events.find((e) => e.state === 'firing' && e.ts === spikeTs);
        expect(spike, `events: ${JSON.stringify(events)}\n${worker.stderr()}`).toMatchObject({
          source: 'host-7',
          metric: 'cpu',
        });
      } finally {
        await consumer.disconnect();
      }

      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
  });

  it('replay without any broker setting says how to give one (exit 2)', async () => {
    const replay = spawnCli(['replay', spikeCsv()], cleanEnv({ FAULTLINE_STATE_FILE: join(dir, 'no-start.json') }));
    expect(await replay.exited).toBe(2);
    expect(replay.stderr()).toMatch(/^faultline: no Kafka brokers: pass --brokers host:port, set KAFKA_BROKERS/);
  });
});
