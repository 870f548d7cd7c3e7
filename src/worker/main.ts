/**
 * A detect worker as a standalone process:
 *
 *   tsx src/worker/main.ts --pipeline pipelines/default.yaml [--brokers host:port,...]
 *
 * Brokers: --brokers, else the pipeline's kafka.brokers, else $KAFKA_BROKERS (a worker never starts
 * a broker). Series state is checkpointed to the state changelog every --checkpoint-every ms
 * (default 5000) so another worker takes over a partition warm. Logs to stderr. On SIGTERM/SIGINT it stops consuming (the batch in progress is finished
 * and committed, or left uncommitted), flushes the producer, leaves the group and exits 0; a second
 * signal exits at once. Every 30 s (and at exit) it logs its stats.
 */
import { Command } from 'commander';
import { loadPipeline } from '../config/load.js';
import { resolveBrokers } from '../transport/brokers.js';
import { createKafka } from '../transport/kafka.js';
import { createLog, isLogLevel, type LogLevel } from '../transport/log.js';
import { startDetectWorker } from './detect-worker.js';

interface Args {
  pipeline: string;
  brokers?: string;
  group?: string;
  logLevel: string;
  sessionTimeout?: string;
  statsEvery: string;
  checkpointEvery: string;
  stateTopic?: string;
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('faultline-worker')
    .description('faultline detect worker: consumes metrics, writes scores, anomaly events and dead letters')
    .option('-p, --pipeline <file>', 'pipeline YAML', 'pipelines/default.yaml')
    .option('--brokers <list>', 'Kafka brokers host:port[,host:port] (default: pipeline, then $KAFKA_BROKERS)')
    .option('--group <id>', 'consumer group (default: worker.groupId of the pipeline)')
    .option('--log-level <level>', 'debug | info | warn | error', 'info')
    .option('--session-timeout <ms>', 'consumer group session timeout (default 10000)')
    .option('--stats-every <ms>', 'log stats this often (0 = never)', '30000')
    .option(
      '--checkpoint-every <ms>',
      'checkpoint series state to the state changelog this often (0 = no changelog: full replay on reassignment)',
      '5000',
    )
    .option('--state-topic <name>', 'state changelog topic (default faultline.state, or <group>.state)')
    .parse(argv);
  const args = program.opts<Args>();
  const level: LogLevel = isLogLevel(args.logLevel) ? args.logLevel : 'info';
  const log = createLog({ level, name: 'worker' });

  let pipeline: ReturnType<typeof loadPipeline>;
  try {
    pipeline = loadPipeline(args.pipeline);
  } catch (e) {
    log.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
  if (args.group) pipeline = { ...pipeline, worker: { ...pipeline.worker, groupId: args.group } };
  const brokers = args.brokers
    ? args.brokers
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean)
    : resolveBrokers(pipeline.kafka.brokers);
  if (!brokers || brokers.length === 0) {
    log.error('no Kafka brokers: pass --brokers host:port, set kafka.brokers in the pipeline, or set KAFKA_BROKERS');
    return 2;
  }

  process.on('unhandledRejection', (e) => log.error('unhandled rejection (ignored)', { error: String(e) }));

  const kafka = createKafka({ brokers, clientId: `${pipeline.kafka.clientId}-worker`, log, security: pipeline.kafka });
  const sessionTimeout = args.sessionTimeout ? Number(args.sessionTimeout) : undefined;
  const checkpointEvery = Number(args.checkpointEvery);
  if (!Number.isFinite(checkpointEvery) || checkpointEvery < 0) {
    log.error(`--checkpoint-every: expected milliseconds >= 0, got ${JSON.stringify(args.checkpointEvery)}`);
    return 2;
  }
  const worker = await startDetectWorker({
    kafka,
    pipeline,
    log,
    consumer: sessionTimeout ? { sessionTimeout, heartbeatInterval: Math.max(500, sessionTimeout / 6) } : {},
    checkpoint:
      checkpointEvery > 0
        ? { intervalMs: checkpointEvery, ...(args.stateTopic ? { topic: args.stateTopic } : {}) }
        : false,
  });
  log.info('started', { pipeline: args.pipeline, brokers: brokers.join(','), group: pipeline.worker.groupId });

  const statsEvery = Number(args.statsEvery);
  const timer =
    statsEvery > 0 ? setInterval(() => log.info('stats', { ...worker.stats() }), statsEvery).unref() : undefined;

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve(sig);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  if (timer) clearInterval(timer);
  log.info(`${signal}: stopping (finishing the current batch, flushing the producer)`);
  await worker.stop();
  log.info('stopped', { ...worker.stats() });
  return 0;
}

main(process.argv).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`faultline worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
