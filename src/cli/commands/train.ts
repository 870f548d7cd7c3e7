import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Duration } from '../../config/duration.js';
import type { EvalReport } from '../../ml/evaluate.js';
import type { TrainRequestInput } from '../../ml/request.js';
import { type TrainProgress, type TrainResult, trainInWorker } from '../../ml/train.js';
import { existingBrokers } from '../brokers.js';
import { talkingToKafka, UsageError } from '../errors.js';

export interface TrainOptions {
  samples?: string;
  faults?: string;
  synthetic?: string;
  model?: string;
  horizon?: string;
  name?: string;
  epochs?: string;
  window?: string;
  batchSize?: string;
  seed?: string;
  modelsDir?: string;
  source?: string;
  metric?: string;
  save?: boolean;
  progress?: boolean;
  json?: boolean;
  /** Kafka for `--samples kafka:<topic>` / `--faults kafka:<topic>[,<topic>]` */
  brokers?: string;
  /** promote the new version (write promoted.json) once saved */
  promote?: boolean;
}

const KAFKA_PREFIX = 'kafka:';
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/** `--samples kafka:<topic>` and `--faults kafka:<topic>[,<topic>…]` → the topics to import, or null for files. */
export function kafkaTopics(o: TrainOptions): { metrics: string; faults: string[] } | null {
  const fromKafka = (v: string | undefined) => v?.startsWith(KAFKA_PREFIX) ?? false;
  if (!fromKafka(o.samples)) {
    if (fromKafka(o.faults)) throw new UsageError('--faults kafka:<topic> needs --samples kafka:<metrics topic> too');
    return null;
  }
  const topics = (flag: string, v: string) => {
    const list = v
      .slice(KAFKA_PREFIX.length)
      .split(',')
      .map((t) => t.trim());
    const bad = list.find((t) => !TOPIC.test(t));
    if (bad !== undefined)
      throw new UsageError(`${flag}: ${JSON.stringify(bad)} is not a topic name (letters, digits, . _ -)`);
    return list;
  };
  const metrics = topics('--samples', o.samples as string);
  if (metrics.length !== 1) throw new UsageError('--samples: one metrics topic, e.g. kafka:faultline.metrics');
  if (o.source !== undefined || o.metric !== undefined)
    throw new UsageError('--source and --metric apply to CSV files, not to a topic');
  if (o.faults !== undefined && !fromKafka(o.faults))
    throw new UsageError(
      '--faults: with --samples kafka:… give the faults as kafka:<topic> too (e.g. kafka:faultline.labels)',
    );
  return { metrics: metrics[0] as string, faults: o.faults ? topics('--faults', o.faults) : [] };
}

/** Import the topics (earliest → high-water mark at the start) into `dir`, with a progress bar. */
async function importKafka(
  o: TrainOptions,
  topics: { metrics: string; faults: string[] },
  dir: string,
): Promise<{ samples: string; faults: string | undefined }> {
  const [{ createKafka }, { importFromKafka }] = await Promise.all([
    import('../../transport/kafka.js'),
    import('../../ml/import-kafka.js'),
  ]);
  const brokers = existingBrokers(o.brokers, []);
  const kafka = createKafka({ brokers, clientId: 'faultline-train-import' });
  const tty = o.progress !== false && Boolean(process.stderr.isTTY);
  const bar = new SingleBar({
    format: 'import |{bar}| {value}/{total} messages | {topic}',
    hideCursor: true,
    stream: process.stderr,
  });
  let started = false;
  try {
    const imp = await talkingToKafka(brokers, `importing ${[topics.metrics, ...topics.faults].join(', ')}`, () =>
      importFromKafka({
        kafka,
        metricsTopic: topics.metrics,
        faultTopics: topics.faults,
        dir,
        onProgress: (p) => {
          if (!tty) return;
          if (!started) {
            bar.start(Math.max(1, p.total), p.read, { topic: p.topic });
            started = true;
          }
          bar.update(p.read, { topic: p.topic });
        },
      }),
    );
    if (started) bar.stop();
    started = false;
    process.stderr.write(
      `imported ${imp.points} points and ${imp.faults} fault samples (${imp.fromOutcomes} from outcomes) from ${imp.messages} messages` +
        `${imp.invalid > 0 ? `, ${imp.invalid} invalid skipped` : ''}\n`,
    );
    return { samples: imp.metricsFile, faults: imp.faultsFile ?? undefined };
  } finally {
    if (started) bar.stop();
  }
}

function int(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag}: expected an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Options → a training request (UsageError naming the option when one is wrong). */
export function trainRequest(o: TrainOptions): TrainRequestInput {
  const kind = o.model;
  if (kind !== 'autoencoder' && kind !== 'predictor' && kind !== 'forecaster')
    throw new UsageError(
      `--model: expected autoencoder, predictor or forecaster, got ${JSON.stringify(kind ?? '(none)')}`,
    );
  if ((o.samples === undefined) === (o.synthetic === undefined))
    throw new UsageError('give either --samples <metrics file> or --synthetic <seed>');
  let horizonMs: number | undefined;
  if (o.horizon !== undefined) {
    const r = Duration.safeParse(o.horizon);
    if (!r.success || !(r.data > 0))
      throw new UsageError(`--horizon: expected a duration like "30m" or "2h", got ${JSON.stringify(o.horizon)}`);
    horizonMs = r.data;
  }
  const seed = int('--seed', o.seed, 0);
  const samples =
    o.synthetic !== undefined
      ? { synthetic: { seed: int('--synthetic', o.synthetic, 0) as number } }
      : { file: o.samples as string, source: o.source, metric: o.metric };
  if (kind === 'predictor' && o.samples !== undefined && o.faults === undefined)
    throw new UsageError('--faults <faults.jsonl> is required to train a predictor');
  return {
    kind,
    name: o.name,
    samples,
    faults: o.faults,
    horizonMs,
    epochs: int('--epochs', o.epochs, 1),
    window: int('--window', o.window, 2),
    batchSize: int('--batch-size', o.batchSize, 1),
    seed,
    modelsDir: o.modelsDir,
    save: o.save,
  };
}

const f3 = (x: number) => x.toFixed(3);

/** The evaluation as a few aligned lines. */
export function formatReport(r: TrainResult): string {
  const e: EvalReport = r.evaluation;
  const ev = e.events;
  const lead = ev.meanLeadTimeMs === null ? 'n/a' : `${(ev.meanLeadTimeMs / 60_000).toFixed(1)} min`;
  const where = r.dir ? `saved ${r.name} version ${r.version} → ${r.dir}` : `${r.name}: not saved (--no-save)`;
  const t = r.training;
  return [
    where,
    `  backend ${r.backend}; ${t.epochs} epochs (best ${t.bestEpoch}${t.stoppedEarly ? ', stopped early' : ''}) in ${t.seconds.toFixed(1)} s`,
    `  windows: train ${t.windows.train}, validation ${t.windows.val}, test ${t.windows.test} (held-out tail from ${new Date(t.valEnd).toISOString()})`,
    `  test, per window (threshold ${e.threshold}): precision ${f3(e.precision)}  recall ${f3(e.recall)}  F1 ${f3(e.f1)}  PR-AUC ${f3(e.prAuc)}`,
    `  test, per fault: ${ev.detected}/${ev.faults} detected, precision ${f3(ev.precision)}  recall ${f3(ev.recall)}  F1 ${f3(ev.f1)}  mean lead time ${lead}  false alarms/day ${ev.falseAlarmsPerDay.toFixed(2)}`,
    ...(r.forecast
      ? [
          `  test, forecast: MAE/scale ${f3(r.forecast.scaledMae)} (last value: ${f3(r.forecast.scaledMaePersistence)})  ${Math.round(r.forecast.band * 100)} % band coverage ${f3(r.forecast.coverage)}  (per fault above = breach warnings)`,
        ]
      : []),
  ].join('\n');
}

function progressBar(enabled: boolean): { onProgress: (p: TrainProgress) => void; stop: () => void } {
  const bar = new SingleBar({
    format: 'train |{bar}| epoch {value}/{total} | loss {loss} | val loss {val} | ETA {eta}',
    hideCursor: true,
    stream: process.stderr,
  });
  let started = false;
  const log = (m: string) => process.stderr.write(`${m}\n`);
  return {
    onProgress(p) {
      if (p.type === 'stage') {
        if (started) {
          bar.stop();
          started = false;
        }
        log(p.message);
        return;
      }
      const payload = { loss: p.loss.toFixed(4), val: p.valLoss.toFixed(4), eta: `${Math.round(p.etaMs / 1000)} s` };
      if (!enabled) {
        log(`epoch ${p.epoch}/${p.epochs}  loss ${payload.loss}  val loss ${payload.val}  ETA ${payload.eta}`);
        return;
      }
      if (!started) {
        bar.start(p.epochs, 0, payload);
        started = true;
      }
      bar.update(p.epoch, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * `faultline train`: train an autoencoder or a fault predictor in a worker thread, with a progress
 * bar (epoch, loss, validation loss, ETA), then print the evaluation on the held-out tail.
 */
export async function runTrain(
  o: TrainOptions,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<TrainResult> {
  const topics = kafkaTopics(o);
  const tmp = topics ? await mkdtemp(join(tmpdir(), 'faultline-train-kafka-')) : null;
  let result: TrainResult;
  try {
    const files = topics && tmp ? await importKafka(o, topics, tmp) : null;
    const req = trainRequest(files ? { ...o, ...files } : o);
    if (o.promote && req.save === false) throw new UsageError('--promote needs the model saved (drop --no-save)');
    const bar = progressBar(o.progress !== false && Boolean(process.stderr.isTTY));
    try {
      result = await trainInWorker(req, bar.onProgress);
    } finally {
      bar.stop();
    }
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
  let note = '';
  if (result.version !== null) {
    const { promoteVersion, servedVersion } = await import('../../ml/promote.js');
    const root = o.modelsDir ?? 'models';
    if (o.promote) {
      await promoteVersion(root, result.name, result.version, { by: 'cli', reason: 'faultline train --promote' });
      note = `  promoted: version ${result.version} is served`;
    } else {
      const served = await servedVersion(root, result.name);
      if (served !== result.version)
        note = `  not served: promoted.json pins version ${served} (use --promote, or POST /v1/models/${result.name}/promote)`;
    }
  }
  write(o.json ? `${JSON.stringify(result)}\n` : `${formatReport(result)}\n${note ? `${note}\n` : ''}`);
  return result;
}
