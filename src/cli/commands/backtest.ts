import {
  ActualEvents,
  Backtest,
  type BacktestReport,
  buildReport,
  compareEvents,
  feedFile,
  feedTopic,
  looksLikeFile,
  parseHistorySource,
  readEventsFile,
  readEventsTopic,
  reportJson,
  reportText,
} from '../../backtest/index.js';
import { createKafka } from '../../transport/kafka.js';
import { existingBrokers } from '../brokers.js';
import { talkingToKafka, UsageError } from '../errors.js';
import { loadPipelineOption } from '../pipeline-option.js';

export interface BacktestOptions {
  from: string;
  pipeline?: string;
  /** the anomaly events that actually happened: a JSONL file or a topic */
  events?: string;
  json?: boolean;
  brokers?: string;
  source?: string;
  metric?: string;
}

/**
 * `faultline backtest`: run a pipeline over stored history with the live worker's code, report
 * what it would have flagged and, with --events, the difference from what actually happened. The
 * report goes to stdout; two runs over the same input print the same bytes.
 */
export async function runBacktest(
  opts: BacktestOptions,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<BacktestReport> {
  const { pipeline } = loadPipelineOption(opts.pipeline);
  const source = parseHistorySource(opts.from);
  if (source.kind === 'topic' && (opts.source !== undefined || opts.metric !== undefined))
    throw new UsageError('--source and --metric apply to CSV files, not to a topic');
  const eventsFromFile = opts.events !== undefined && looksLikeFile(opts.events);
  const needKafka = source.kind === 'topic' || (opts.events !== undefined && !eventsFromFile);
  const brokers = needKafka ? existingBrokers(opts.brokers, pipeline.kafka.brokers) : [];
  const kafka = needKafka
    ? createKafka({ brokers, clientId: `${pipeline.kafka.clientId}-backtest`, security: pipeline.kafka })
    : null;

  const bt = new Backtest(pipeline, source.kind === 'topic' ? source.window : undefined);
  if (source.kind === 'file') {
    await feedFile(bt, source.path, { source: opts.source, metric: opts.metric });
  } else {
    const k = kafka as NonNullable<typeof kafka>;
    await talkingToKafka(brokers, `reading ${source.topic}`, () => feedTopic(bt, k, source.topic));
  }
  const run = bt.finish();

  let comparison = null;
  if (opts.events !== undefined) {
    const actual = new ActualEvents();
    const ev = opts.events;
    if (eventsFromFile) await readEventsFile(actual, ev);
    else {
      const k = kafka as NonNullable<typeof kafka>;
      await talkingToKafka(brokers, `reading ${ev}`, () => readEventsTopic(actual, k, ev));
    }
    comparison = compareEvents(run, actual, ev);
  }
  const report = buildReport(run, opts.from, comparison);
  write(`${opts.json ? reportJson(report) : reportText(report)}\n`);
  return report;
}
