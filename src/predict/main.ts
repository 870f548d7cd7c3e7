/**
 * The predict worker as a standalone process:
 *
 *   tsx src/predict/main.ts --pipeline pipelines/default.yaml [--brokers host:port,...] [--models-dir models]
 *
 * Serves the pipeline's `models.serve` (each model's promoted version, else its newest) on the
 * metrics topic and writes predictions to the predictions topic. Brokers: --brokers, else the
 * pipeline's kafka.brokers, else $KAFKA_BROKERS (it never starts a broker). Logs to stderr, stats
 * every 30 s. SIGTERM/SIGINT: finishes the batch in progress, flushes, leaves the group, exits 0.
 */
import { Command } from 'commander';
import { loadPipeline } from '../config/load.js';
import { resolveBrokers } from '../transport/brokers.js';
import { createKafka } from '../transport/kafka.js';
import { createLog, isLogLevel, type LogLevel } from '../transport/log.js';
import { startPredictWorker } from './predict-worker.js';

interface Args {
  pipeline: string;
  brokers?: string;
  modelsDir?: string;
  logLevel: string;
  statsEvery: string;
}

async function main(argv: string[]): Promise<number> {
  const args = new Command('faultline-predict')
    .description('faultline predict worker: consumes metrics, serves trained models, writes predictions')
    .option('-p, --pipeline <file>', 'pipeline YAML', 'pipelines/default.yaml')
    .option('--brokers <list>', 'Kafka brokers host:port[,host:port] (default: pipeline, then $KAFKA_BROKERS)')
    .option('--models-dir <dir>', 'model registry folder (default: models.dir of the pipeline)')
    .option('--log-level <level>', 'debug | info | warn | error', 'info')
    .option('--stats-every <ms>', 'log stats this often (0 = never)', '30000')
    .parse(argv)
    .opts<Args>();
  const level: LogLevel = isLogLevel(args.logLevel) ? args.logLevel : 'info';
  const log = createLog({ level, name: 'predict' });
  let pipeline: ReturnType<typeof loadPipeline>;
  try {
    pipeline = loadPipeline(args.pipeline);
  } catch (e) {
    log.error(e instanceof Error ? e.message : String(e));
    return 2;
  }
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
  const kafka = createKafka({ brokers, clientId: `${pipeline.kafka.clientId}-predict`, log, security: pipeline.kafka });
  const worker = await startPredictWorker({ kafka, pipeline, modelsDir: args.modelsDir, log });
  log.info('started', { group: pipeline.models.groupId, models: pipeline.models.serve.join(',') });
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
  log.info(`${signal}: stopping`);
  await worker.stop();
  log.info('stopped', { ...worker.stats() });
  return 0;
}

main(process.argv).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`faultline predict: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
