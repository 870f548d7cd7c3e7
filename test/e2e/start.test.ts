import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { testBrokers } from '../helpers/kafka.js';
import { cleanEnv, ROOT, spawnCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-e2e-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** pipelines/default.yaml with topics and group of this run only (the test broker is shared). */
function isolatedPipeline(): string {
  const p = parse(readFileSync(join(ROOT, 'pipelines/default.yaml'), 'utf8'));
  const run = `e2e-start-${process.pid}-${Date.now()}`;
  p.name = run;
  p.topics = {
    ...p.topics,
    partitions: 2,
    metrics: `${run}.metrics`,
    scores: `${run}.scores`,
    anomalies: `${run}.anomalies`,
    dlq: `${run}.dlq`,
  };
  p.worker = { ...p.worker, groupId: `${run}-detect` };
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, stringify(p));
  return file;
}

interface AnomaliesBody {
  count: number;
  anomalies: { state: string; source: string; metric: string; reason: string }[];
}

describe('faultline start (demo: simulator) on the real broker', () => {
  it('serves anomalies at /v1/anomalies within 90 s, then stops cleanly on SIGTERM', async () => {
    const stateFile = join(dir, 'start.json');
    const cli = spawnCli(
      ['start', '--port', '0', '--demo', 'sim', '--pipeline', isolatedPipeline()],
      cleanEnv({
        KAFKA_BROKERS: testBrokers().join(','),
        FAULTLINE_STATE_FILE: stateFile,
      }),
    );
    try {
      const m = await cli.waitFor(/faultline API listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000);
      const base = m[1] as string;
      expect(cli.stdout()).toContain(`${base}/v1/anomalies`);
      expect(cli.stdout()).toContain(`${base}/docs`);
      // other commands find the running broker through the state file
      expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ brokers: testBrokers(), api: base });

      let body: AnomaliesBody | undefined;
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const res = await fetch(`${base}/v1/anomalies?limit=50`);
        if (res.ok) {
          body = (await res.json()) as AnomaliesBody;
          if (body.anomalies.some((a) => a.state === 'firing')) break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      const firing = body?.anomalies.find((a) => a.state === 'firing');
      expect(firing, `no firing anomaly within 90 s\n${cli.stdout()}\n${cli.stderr()}`).toBeDefined();
      expect(['web-1', 'web-2', 'db-1']).toContain(firing?.source);
      expect(firing?.reason).toContain(firing?.metric);

      cli.child.kill('SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(existsSync(stateFile)).toBe(false);
      expect(cli.stdout()).toMatch(
        /SIGTERM received: shutting down[\s\S]*stopped demo producer[\s\S]*stopped detect worker[\s\S]*stopped API[\s\S]*faultline stopped/,
      );
      // it used the given brokers: it started no broker of its own
      expect(cli.stdout()).not.toContain('stopped Kafka broker');
      expect(cli.stderr()).not.toMatch(/unexpected error|\n\s+at /);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  });
});
