import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { log4jProperties, randomClusterId, serverProperties } from './config.js';
import { KafkaStartError } from './errors.js';
import { ensureKafkaJars, jarsCached } from './jars.js';
import { freePorts } from './ports.js';
import { killOnExit, readFrom, startWatchdog, tailFile, terminate } from './process.js';
import { assertTools } from './tools.js';

export interface LocalKafkaOptions {
  /** Data dir (config, logs, partitions). Default: a fresh temp dir, removed on stop(). */
  dataDir?: string | undefined;
  log?: ((m: string) => void) | undefined;
  /** Max heap of the broker JVM in MB (default 384, or env KAFKA_HEAP_MB). */
  heapMb?: number | undefined;
  /** How long to wait for readiness (default 180 s, or env KAFKA_START_TIMEOUT_MS). */
  startTimeoutMs?: number | undefined;
}

export interface LocalKafka {
  brokers: string[];
  pid: number;
  dataDir: string;
  logFile: string;
  clusterId: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const READY_LINE = 'Kafka Server started';
const STOP_GRACE_MS = 30_000;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function javaCommonOpts(): string[] {
  return ['-Djava.awt.headless=true', '-XX:+ExitOnOutOfMemoryError', '-Xshare:auto'];
}

function formatStorage(java: string, libs: string, props: string, clusterId: string, dataDir: string): Promise<void> {
  const args = [
    '-Xmx128m',
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    ...javaCommonOpts(),
    `-Dlog4j.configuration=file:${join(dataDir, 'log4j.properties')}`,
    '-cp',
    join(libs, '*'),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    props,
    '--ignore-formatted',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    let out = '';
    const keep = (c: Buffer) => {
      out = (out + c.toString('utf8')).slice(-16_384);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (err) =>
      reject(new KafkaStartError(`could not run ${java} to format storage: ${err.message}`, undefined, '')),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const tail = out.trim().split('\n').slice(-40).join('\n');
      reject(new KafkaStartError(`kafka storage format failed (exit ${code ?? signal})`, undefined, tail));
    });
  });
}

async function metadataRoundTrip(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'faultline-infra-ready',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('no brokers in metadata');
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Best effort: a FindCoordinator request makes the broker create __consumer_offsets now, so the first
 * consumer group of a test does not wait (and log "group coordinator is not available") while it happens.
 */
async function warmGroupCoordinator(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'faultline-infra-warmup',
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeGroups(['faultline-infra-warmup']);
  } catch {
    // not fatal: the broker is up; the first group will just take longer
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

interface Attempt {
  kind: 'ready' | 'port-taken';
  kafka?: LocalKafka;
}

async function attemptStart(
  java: string,
  libs: string,
  dataDir: string,
  ownsDataDir: boolean,
  heapMb: number,
  timeoutMs: number,
  log: (m: string) => void,
): Promise<Attempt> {
  const [brokerPort, controllerPort] = (await freePorts(2, HOST)) as [number, number];
  const propsFile = join(dataDir, 'server.properties');
  const logFile = join(dataDir, 'kafka.log');
  const clusterId = randomClusterId();
  writeFileSync(
    propsFile,
    serverProperties({ nodeId: 1, host: HOST, brokerPort, controllerPort, logDir: join(dataDir, 'kraft-logs') }),
  );
  writeFileSync(join(dataDir, 'log4j.properties'), log4jProperties());
  const formatStarted = Date.now();
  await formatStorage(java, libs, propsFile, clusterId, dataDir);
  const formatSecs = ((Date.now() - formatStarted) / 1000).toFixed(1);

  const brokers = [`${HOST}:${brokerPort}`];
  // A reused data dir keeps its old log: only look at what this run appends.
  let offset = readFrom(logFile, 0).next;
  const fd = openSync(logFile, 'a');
  const child = spawn(
    java,
    [
      `-Xms${Math.min(128, heapMb)}m`,
      `-Xmx${heapMb}m`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      ...javaCommonOpts(),
      `-Dkafka.logs.dir=${dataDir}`,
      `-Dlog4j.configuration=file:${join(dataDir, 'log4j.properties')}`,
      '-cp',
      join(libs, '*'),
      'kafka.Kafka',
      propsFile,
    ],
    { stdio: ['ignore', fd, fd], cwd: dataDir },
  );
  closeSync(fd);
  const unregister = killOnExit(child);
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    exit = `exit code ${code ?? signal}`;
    unregister();
  });
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  if (child.pid === undefined) {
    const err = await spawnFailed;
    throw new KafkaStartError(`could not start ${java}: ${err.message}`, logFile, tailFile(logFile));
  }
  const pid = child.pid;
  startWatchdog(pid, STOP_GRACE_MS / 1000, ownsDataDir && !process.env['KAFKA_KEEP_DATA'] ? dataDir : '');
  log(
    `broker starting: pid ${pid}, ${brokers[0]} (controller ${HOST}:${controllerPort}; storage formatted in ${formatSecs} s), log ${logFile}`,
  );

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const how = await terminate(child, STOP_GRACE_MS);
      unregister();
      if (how === 'killed') log(`broker pid ${pid} did not stop within ${STOP_GRACE_MS / 1000} s; killed`);
      if (ownsDataDir && !process.env['KAFKA_KEEP_DATA']) rmSync(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const fail = async (why: string, retriable = true): Promise<never> => {
    if (exit === undefined) await terminate(child, 5_000);
    throw new KafkaStartError(why, logFile, tailFile(logFile), { retriable, pid });
  };

  // 1) the log line, 2) a real metadata round trip.
  const deadline = Date.now() + timeoutMs;
  let carry = '';
  let sawReady = false;
  while (!sawReady) {
    const { text, next } = readFrom(logFile, offset);
    offset = next;
    const window = carry + text;
    if (window.includes(READY_LINE)) sawReady = true;
    else if (/BindException|Address already in use/.test(window)) {
      await terminate(child, 5_000);
      return { kind: 'port-taken' };
    }
    carry = window.slice(-200);
    if (sawReady) break;
    if (exit !== undefined) await fail(`Kafka broker exited before it was ready (${exit})`, false);
    if (Date.now() > deadline) await fail(`Kafka broker not ready after ${timeoutMs / 1000} s`);
    await sleep(150);
  }
  let lastErr = '';
  for (;;) {
    try {
      await metadataRoundTrip(brokers);
      break;
    } catch (err) {
      lastErr = (err as Error).message;
    }
    if (exit !== undefined) await fail(`Kafka broker exited before it was ready (${exit})`, false);
    if (Date.now() > deadline) await fail(`Kafka broker logged "${READY_LINE}" but metadata requests fail: ${lastErr}`);
    await sleep(250);
  }
  await warmGroupCoordinator(brokers);
  return { kind: 'ready', kafka: { brokers, pid, dataDir, logFile, clusterId, stop } };
}

/** Starts a single-node KRaft Kafka on free loopback ports and waits until it answers metadata requests. */
export async function startLocalKafka(opts: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const log = opts.log ?? (() => {});
  const heapMb = opts.heapMb ?? envInt('KAFKA_HEAP_MB') ?? 384;
  if (!Number.isInteger(heapMb) || heapMb < 128) throw new Error(`heapMb must be an integer >= 128, got ${heapMb}`);
  const timeoutMs = opts.startTimeoutMs ?? envInt('KAFKA_START_TIMEOUT_MS') ?? 180_000;
  const { java } = assertTools({ needMaven: !jarsCached() });
  const libs = await ensureKafkaJars({ log });

  for (let attempt = 1; ; attempt++) {
    const ownsDataDir = opts.dataDir === undefined;
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'faultline-kafka-'));
    mkdirSync(dataDir, { recursive: true });
    const started = Date.now();
    const res = await attemptStart(java, libs, dataDir, ownsDataDir, heapMb, timeoutMs, log);
    if (res.kind === 'ready' && res.kafka) {
      log(`broker ready at ${res.kafka.brokers.join(',')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return res.kafka;
    }
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    if (attempt >= 3) {
      throw new KafkaStartError('Kafka could not bind its ports after 3 attempts', undefined, '', { retriable: true });
    }
    log('a chosen port was taken meanwhile; retrying on new ports');
  }
}
