/**
 * The heal engine as a standalone process:
 *
 *   node --import tsx src/heal/service/main.ts --pipeline <yaml> [--brokers h:p,...] [--id heal-1]
 *     [--etcd http://127.0.0.1:2379,...] [--log-level info] [--events]
 *
 * Brokers: --brokers, else the pipeline's kafka.brokers, else $KAFKA_BROKERS (it never starts one).
 * Coordinator: --etcd, else the pipeline's `coordinator:` section, else embedded (one engine only).
 * Logs go to stderr. With --events, one JSON object per line on stdout: {"event":"ready",...} and
 * {"event":"leadership","leader":...,"token":...,"at":...} on every change (for tests and supervisors).
 * SIGTERM/SIGINT: finishes the batch in progress, resigns (a standby takes over at once), exits 0.
 * Exit 2: bad configuration or arguments; 1: could not start.
 */
import { Command } from 'commander';
import { loadPipeline } from '../../config/load.js';
import { resolveBrokers } from '../../transport/brokers.js';
import { createKafka } from '../../transport/kafka.js';
import { createLog, isLogLevel, type LogLevel } from '../../transport/log.js';
import { startHealService } from './service.js';

interface Args {
  pipeline: string;
  brokers?: string;
  id?: string;
  etcd?: string;
  logLevel: string;
  events?: boolean;
  sessionTimeout?: string;
}

const list = (raw: string) =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

async function main(argv: string[]): Promise<number> {
  const args = new Command('faultline-heal')
    .description('faultline heal engine: anomalies and predictions in, actions and outcomes out')
    .option('-p, --pipeline <file>', 'pipeline YAML with a heal: section', 'pipelines/default.yaml')
    .option('--brokers <list>', 'Kafka brokers host:port[,host:port] (default: pipeline, then $KAFKA_BROKERS)')
    .option('--id <id>', 'engine id (names its consumer group and its etcd candidacy)')
    .option('--etcd <endpoints>', 'etcd client URLs (leader election among engines); default: the pipeline')
    .option('--log-level <level>', 'debug | info | warn | error', 'info')
    .option('--events', 'print ready and leadership events as JSON lines on stdout')
    .option('--session-timeout <ms>', 'consumer group session timeout (default 10000)')
    .parse(argv)
    .opts<Args>();
  const level: LogLevel = isLogLevel(args.logLevel) ? args.logLevel : 'info';
  const log = createLog({ level, name: 'heal' });
  const out = (o: Record<string, unknown>) => {
    if (args.events) process.stdout.write(`${JSON.stringify({ ...o, pid: process.pid })}\n`);
  };

  let pipeline: ReturnType<typeof loadPipeline>;
  try {
    pipeline = loadPipeline(args.pipeline);
  } catch (e) {
    log.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  const brokers = args.brokers ? list(args.brokers) : resolveBrokers(pipeline.kafka.brokers);
  if (!brokers || brokers.length === 0) {
    log.error('no Kafka brokers: pass --brokers host:port, set kafka.brokers in the pipeline, or set KAFKA_BROKERS');
    return 2;
  }
  process.on('unhandledRejection', (e) => log.error('unhandled rejection (ignored)', { error: String(e) }));

  const kafka = createKafka({ brokers, clientId: `${pipeline.kafka.clientId}-heal`, log, security: pipeline.kafka });
  const service = await startHealService({
    kafka,
    pipeline,
    log,
    ...(args.id ? { id: args.id } : {}),
    ...(args.etcd ? { etcdEndpoints: list(args.etcd) } : {}),
    ...(args.sessionTimeout ? { sessionTimeout: Number(args.sessionTimeout) } : {}),
  });
  service.coordinator.onLeadershipChange((e) => out({ event: 'leadership', id: service.id, ...e }));
  await service.ready;
  out({ event: 'ready', id: service.id, backend: service.coordinator.backend, group: service.status().groupId });
  const s = service.coordinator.status();
  if (s.leader)
    out({ event: 'leadership', id: service.id, leader: true, token: s.token, reason: s.reason, at: Date.now() });

  // a supervised engine whose parent died must not act on its own
  const parent = process.ppid;
  const orphan = setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 1000);
  orphan.unref();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(sig);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  clearInterval(orphan);
  log.info(`${signal}: stopping (finishing the current batch, resigning leadership)`);
  await service.stop();
  log.info('stopped', { ...service.status().published });
  return 0;
}

main(process.argv).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`faultline heal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
