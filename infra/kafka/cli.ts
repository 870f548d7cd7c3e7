/**
 * Local Kafka for people: `npm run kafka:start` (runs until Ctrl-C / SIGTERM) and `npm run kafka:stop`.
 * start writes .faultline/kafka.json { brokers, pid, cliPid, dataDir, logFile } and prints the brokers.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { KafkaFetchError, KafkaPrerequisiteError, KafkaStartError } from './errors.js';
import { startLocalKafka } from './local.js';
import { cliStateFile } from './paths.js';
import { pidRunning, waitPidGone } from './process.js';

const State = z.object({
  brokers: z.array(z.string()).min(1),
  pid: z.number().int().positive(),
  cliPid: z.number().int().positive(),
  dataDir: z.string(),
  logFile: z.string(),
  startedAt: z.string(),
});
type State = z.infer<typeof State>;

const say = (m: string) => process.stderr.write(`[kafka] ${m}\n`);

function readState(file: string): State | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = State.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}; delete the file if stale`);
  }
  return parsed.data;
}

function parseArgs(argv: string[]): { dataDir?: string } {
  const i = argv.indexOf('--data-dir');
  if (i >= 0) {
    const dir = argv[i + 1];
    if (!dir) throw new Error('--data-dir needs a folder');
    return { dataDir: dir };
  }
  return {};
}

async function start(argv: string[]): Promise<void> {
  if (process.env['KAFKA_BROKERS']?.trim()) {
    say(`KAFKA_BROKERS is set (${process.env['KAFKA_BROKERS']}); using that cluster, nothing to start`);
    return;
  }
  const file = cliStateFile();
  const prev = readState(file);
  if (prev && (pidRunning(prev.cliPid) || pidRunning(prev.pid))) {
    say(`already running: brokers ${prev.brokers.join(',')} (pid ${prev.pid}); stop it with npm run kafka:stop`);
    process.exitCode = 1;
    return;
  }
  const { dataDir } = parseArgs(argv);
  const kafka = await startLocalKafka({ dataDir, log: say });
  const state: State = {
    brokers: kafka.brokers,
    pid: kafka.pid,
    cliPid: process.pid,
    dataDir: kafka.dataDir,
    logFile: kafka.logFile,
    startedAt: new Date().toISOString(),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
  process.stdout.write(`${kafka.brokers.join(',')}\n`);
  say(`Kafka is up. Use it with: KAFKA_BROKERS=${kafka.brokers.join(',')}  (Ctrl-C or npm run kafka:stop to stop)`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (why: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      say(`${why}: stopping broker pid ${kafka.pid}`);
      kafka
        .stop()
        .catch((err: unknown) => say(`stop failed: ${(err as Error).message}`))
        .finally(() => {
          if (ownsStateFile(file)) rmSync(file, { force: true });
          say('stopped');
          resolve();
        });
    };
    // Broker died on its own: nothing left to keep running for.
    const watch = setInterval(() => {
      if (pidRunning(kafka.pid)) return;
      say(`broker pid ${kafka.pid} exited on its own; see ${kafka.logFile}`);
      process.exitCode = 1;
      shutdown('broker exit');
    }, 1000);
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  });
}

function ownsStateFile(file: string): boolean {
  try {
    return readState(file)?.cliPid === process.pid;
  } catch {
    return false;
  }
}

async function stop(): Promise<void> {
  const file = cliStateFile();
  const state = readState(file);
  if (!state) {
    say(`no local broker recorded in ${file}; nothing to stop`);
    return;
  }
  // Prefer asking the `start` process: it stops the broker cleanly and removes the state file.
  const target = pidRunning(state.cliPid) ? state.cliPid : state.pid;
  if (pidRunning(target)) {
    say(`stopping ${target === state.cliPid ? 'kafka:start' : 'broker'} pid ${target}`);
    process.kill(target, 'SIGTERM');
  }
  if (!(await waitPidGone(state.pid, 40_000))) {
    say(`broker pid ${state.pid} still running after 40 s; sending SIGKILL`);
    try {
      process.kill(state.pid, 'SIGKILL');
    } catch {}
    await waitPidGone(state.pid, 10_000);
  }
  await waitPidGone(state.cliPid, 10_000);
  rmSync(file, { force: true });
  say(`stopped (brokers were ${state.brokers.join(',')})`);
}

const [cmd, ...rest] = process.argv.slice(2);
try {
  if (cmd === 'start') await start(rest);
  else if (cmd === 'stop') await stop();
  else {
    process.stderr.write('usage: tsx infra/kafka/cli.ts start [--data-dir DIR] | stop\n');
    process.exitCode = 2;
  }
} catch (err) {
  if (err instanceof KafkaPrerequisiteError || err instanceof KafkaFetchError || err instanceof KafkaStartError) {
    say(err.message);
    process.exitCode = 1;
  } else {
    throw err;
  }
}
