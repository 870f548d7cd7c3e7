import { Command, CommanderError } from 'commander';
import { EXIT, reportError } from './errors.js';
import { info } from './output.js';

const VERSION = '0.1.0';

const BROKERS_HELP =
  'Kafka brokers host:port[,host:port] (default: the pipeline, $KAFKA_BROKERS, or a running `faultline start`)';
const SOURCE_HELP = 'CSV: source of the points (default: the file base name)';
const METRIC_HELP = 'CSV with one value column: metric name (default: the column name)';

/**
 * The `faultline` command line. Each command's implementation lives in commands/<name>.ts and is
 * loaded when the command runs, so `--help`, `validate` and `score` never load Kafka or fastify.
 */
export function buildProgram(): Command {
  const program = new Command('faultline')
    .description('streaming anomaly detection on Kafka')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('start')
    .description('run everything locally: Kafka (if needed), topics, a detect worker, the API and a demo producer')
    .option('-p, --pipeline <file>', 'pipeline YAML (default pipelines/default.yaml, or $FAULTLINE_PIPELINE)')
    .option('--demo <kind>', 'demo load: "nab" (a NAB series; the default when ../shared/data/nab exists) or "sim"')
    .option('--no-demo', 'no demo producer')
    .option('--port <port>', 'API port (0 = a free port; default from the pipeline or $FAULTLINE_API_PORT)')
    .option('--host <host>', 'API bind address (default from the pipeline or $FAULTLINE_API_HOST)')
    .option('--insecure', 'allow an open API (no API keys configured) on a non-loopback address')
    .option('--workers <n>', 'run n detect workers as supervised processes (restarted when they crash)')
    .action(async (opts) => (await import('./commands/start.js')).runStart(opts));

  program
    .command('replay')
    .description('stream a CSV or JSONL metrics file into Kafka')
    .argument('<file>', 'CSV (timestamp column + metric columns) or JSONL of MetricPoints')
    .option('--source <name>', SOURCE_HELP)
    .option('--metric <name>', METRIC_HELP)
    .option('--speed <x>', '0 = as fast as possible, else a multiple of data time (1 = real time)', '0')
    .option('--brokers <list>', BROKERS_HELP)
    .option('--topic <name>', 'topic to write to (default: the pipeline metrics topic)')
    .option('-p, --pipeline <file>', 'pipeline YAML (topics, partitions, brokers)')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string, opts) => {
      const s = await (await import('./commands/replay.js')).runReplay(file, opts);
      info(`replayed ${s.points} points (${s.rows} rows) from ${file} in ${s.seconds.toFixed(1)} s`);
    });

  program
    .command('score')
    .description('score a CSV or JSONL file offline (no Kafka): one JSON line per input row')
    .argument('<file>', 'CSV (timestamp column + metric columns) or JSONL of MetricPoints')
    .option('-o, --out <file>', 'write JSON lines here instead of stdout')
    .option('-p, --pipeline <file>', 'pipeline YAML (detectors, ensemble, alarm rules)')
    .option('--source <name>', SOURCE_HELP)
    .option('--metric <name>', METRIC_HELP)
    .action(async (file: string, opts) => {
      const { rows, anomalies } = await (await import('./commands/score.js')).runScore(file, opts);
      if (opts.out) info(`scored ${rows} rows, ${anomalies} flagged as anomalies → ${opts.out}`);
    });

  program
    .command('worker')
    .description('run a detect worker (joins the consumer group; run several to share the load)')
    .option('-p, --pipeline <file>', 'pipeline YAML')
    .option('--brokers <list>', BROKERS_HELP)
    .action(async (opts) => (await import('./commands/worker.js')).runWorker(opts));

  program
    .command('heal')
    .description(
      'run a heal engine: anomalies and predictions in, actions and outcomes out (several with etcd: only the leader acts)',
    )
    .option('-p, --pipeline <file>', 'pipeline YAML with a heal: section')
    .option('--brokers <list>', BROKERS_HELP)
    .option(
      '--id <id>',
      'engine id (its consumer group and etcd candidacy; default heal-<host> or a unique id on etcd)',
    )
    .option('--etcd <endpoints>', 'etcd client URLs for leader election (default: the pipeline coordinator: section)')
    .action(async (opts) => (await import('./commands/heal.js')).runHeal(opts));

  program
    .command('backtest')
    .description(
      'run a pipeline over stored history (file or topic) with the live code: what it would have flagged, and with --events the difference from what happened',
    )
    .requiredOption(
      '--from <source>',
      'history: a CSV/JSONL file, or topic[@start..end] (ISO 8601 or epoch ms, data time; history before start trains the detectors)',
    )
    .option('-p, --pipeline <file>', 'pipeline YAML to test (detectors, ensemble, alarm rules)')
    .option(
      '--events <source>',
      'the anomaly events that actually happened (JSONL file or topic): report the difference',
    )
    .option('--json', 'print the report as JSON (byte-identical for the same input)')
    .option('--brokers <list>', BROKERS_HELP)
    .option('--source <name>', SOURCE_HELP)
    .option('--metric <name>', METRIC_HELP)
    .action(async (opts) => {
      await (await import('./commands/backtest.js')).runBacktest(opts);
    });

  program
    .command('validate')
    .description('check a pipeline YAML file (exit 2 with file:line: path: problem when invalid)')
    .argument('<pipeline>', 'pipeline YAML file')
    .action(async (file: string) => (await import('./commands/validate.js')).runValidate(file));

  program
    .command('train')
    .description(
      'train a model (autoencoder or fault predictor) from history; prints the evaluation on the held-out tail',
    )
    .option(
      '--samples <file>',
      'metrics history: CSV or JSONL of MetricPoints, or kafka:<topic> (read from the earliest offset to the high-water mark)',
    )
    .option(
      '--faults <file>',
      'fault samples: JSONL of {source, start, end, type, severity}, or kafka:<topic>[,<topic>] (labels and/or outcomes)',
    )
    .option('--synthetic <seed>', 'train on generated samples (seeded) instead of --samples/--faults')
    .requiredOption('--model <kind>', 'autoencoder | predictor | forecaster')
    .option('--horizon <duration>', 'predict faults this far ahead, e.g. 30m (default 30m; synthetic: 15m)')
    .option('--name <name>', 'registry name (default: the model kind)')
    .option('--epochs <n>', 'maximum epochs (early stopping may end sooner)')
    .option('--window <n>', 'rows per window (default 20)')
    .option('--batch-size <n>', 'training batch size (default: about 200 steps per epoch, 32-512)')
    .option('--seed <n>', 'seed of initialisation and shuffling (default 1)')
    .option('--models-dir <dir>', 'model registry folder (default models)')
    .option('--source <name>', SOURCE_HELP)
    .option('--metric <name>', METRIC_HELP)
    .option('--no-save', 'evaluate only; do not write to the registry')
    .option('--promote', 'serve the new version (write promoted.json) once saved')
    .option('--brokers <list>', `with kafka: samples: ${BROKERS_HELP}`)
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the result as JSON')
    .action(async (opts) => {
      await (await import('./commands/train.js')).runTrain(opts);
    });

  program
    .command('retrain')
    .description(
      'train a challenger with the new labels (operator labels, verified outcomes), compare it with the served version on the same held-out tail, promote it only when not worse',
    )
    .requiredOption('--model <name>', 'registry name of the model')
    .option(
      '--labels <spec>',
      'new labels: kafka:<topic>[,<topic>] or JSONL files, comma-separated (default kafka:faultline.labels,faultline.outcomes)',
    )
    .option(
      '--samples <spec>',
      "metrics history: a file, synthetic:<seed> or kafka:<topic> (default: the served version's)",
    )
    .option('--faults <file>', "fault samples known before (default: the served version's)")
    .option('--tolerance <x>', 'promote when PR-AUC and event F1 are at most this much lower (default 0)')
    .option('--epochs <n>', 'maximum epochs of the challenger')
    .option('--batch-size <n>', 'training batch size')
    .option('--seed <n>', "seed (default: the served version's)")
    .option('--models-dir <dir>', 'model registry folder (default models)')
    .option('--brokers <list>', BROKERS_HELP)
    .option('--no-progress', 'no line per epoch')
    .option('--json', 'print the report as JSON')
    .action(async (opts) => {
      await (await import('./commands/retrain.js')).runRetrain(opts);
    });

  program
    .command('chaos')
    .description(
      'run a chaos scenario on a simulated cluster (detectors → heal engine → actions, in simulated time) and print its scorecard',
    )
    .option('--scenario <name>', 'standard (12 nodes, 30 faults over a day) | quick | burst', 'standard')
    .option('--seed <n>', 'seed of the cluster and its fault schedule (default 1)')
    .option('-p, --pipeline <file>', 'pipeline YAML with detectors, alarms and heal (default pipelines/chaos.yaml)')
    .option('--actuator <kind>', 'sim (in process) or webhook (HTTP to the simulator on loopback)', 'sim')
    .option(
      '--predictor <name>',
      'fault predictor model acting on early warnings, or "none" (default: chaos-predictor when installed)',
    )
    .option('--models-dir <dir>', 'model registry folder (default: the models folder of faultline)')
    .option('--write-history <dir>', 'instead of a run: write simulated history to train a predictor on')
    .option('--days <n>', 'with --write-history: days of history (default 5)')
    .option('--no-progress', 'no progress bar')
    .option('--json', 'also print the scorecard as one JSON object (the last line)')
    .action(async (opts) => {
      await (await import('./commands/chaos.js')).runChaosCommand(opts);
    });

  program.exitOverride();
  for (const c of program.commands) c.exitOverride();
  return program;
}

/**
 * Run the CLI with `argv` (as process.argv: node, script, args...) and return the exit code:
 * 0 ok, 1 runtime failure, 2 bad usage / invalid config or input file. Typed errors print one
 * clear message on stderr, without a stack trace.
 */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or the help / version)
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(err);
  }
}
