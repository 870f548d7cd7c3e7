import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultSample } from '../../contracts/samples.js';
import type { RetrainReport, RetrainSamples } from '../../ml/retrain.js';
import { existingBrokers } from '../brokers.js';
import { talkingToKafka, UsageError } from '../errors.js';

export interface RetrainCliOptions {
  model?: string;
  modelsDir?: string;
  /** metrics history: a file, `synthetic:<seed>` or `kafka:<topic>` (default: what the served version was trained on) */
  samples?: string;
  /** the fault samples known before (default: the served version's) */
  faults?: string;
  /** new labels: `kafka:<topic>[,<topic>]` (labels and/or outcomes) or JSONL files (comma-separated) */
  labels?: string;
  epochs?: string;
  seed?: string;
  batchSize?: string;
  tolerance?: string;
  brokers?: string;
  progress?: boolean;
  json?: boolean;
}

const KAFKA = 'kafka:';

function num(flag: string, raw: string | undefined, ok: (n: number) => boolean, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!ok(n)) throw new UsageError(`${flag}: expected ${what}, got ${JSON.stringify(raw)}`);
  return n;
}

/** Label files: each line a FaultSample or an Outcome (as on the topics). */
async function labelsFromFiles(files: string[]): Promise<FaultSample[]> {
  const { FaultCollector } = await import('../../ml/import-kafka.js');
  const c = new FaultCollector();
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const err = c.add(Buffer.from(line));
      if (err) throw new UsageError(`${file}:${i + 1}: ${err}`);
    });
  }
  return c.result().faults;
}

/**
 * `faultline retrain --model <name>`: train a challenger on the served version's samples plus the
 * new labels (operator labels, verified outcomes), evaluate both on the served version's held-out
 * tail and promote the challenger only when it is not worse. Prints the comparison.
 */
export async function runRetrain(
  o: RetrainCliOptions,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<RetrainReport> {
  const name = o.model;
  if (!name) throw new UsageError('--model <name>: the registry name of the model to retrain');
  const root = o.modelsDir ?? 'models';
  const epochs = num('--epochs', o.epochs, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
  const seed = num('--seed', o.seed, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');
  const batchSize = num('--batch-size', o.batchSize, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
  const tolerance = num('--tolerance', o.tolerance, (n) => n >= 0 && n <= 1, 'a number in 0..1');
  const labelSpec = o.labels ?? `${KAFKA}faultline.labels,faultline.outcomes`;
  const needKafka = labelSpec.startsWith(KAFKA) || (o.samples?.startsWith(KAFKA) ?? false);
  const brokers = needKafka ? existingBrokers(o.brokers, []) : [];
  const log = (m: string) => process.stderr.write(`${m}\n`);

  const { createKafka } = await import('../../transport/kafka.js');
  const { importFaults, importFromKafka } = await import('../../ml/import-kafka.js');
  const kafka = needKafka ? createKafka({ brokers, clientId: 'faultline-retrain' }) : null;

  let labels: FaultSample[];
  if (labelSpec.startsWith(KAFKA)) {
    const topics = labelSpec.slice(KAFKA.length).split(',').filter(Boolean);
    const imp = await talkingToKafka(brokers, `reading ${topics.join(', ')}`, () =>
      importFaults({ kafka: kafka as NonNullable<typeof kafka>, topics }),
    );
    log(
      `read ${imp.messages} messages from ${topics.join(', ')}: ${imp.labels} labels, ${imp.fromOutcomes} verified outcomes → ${imp.faults.length} fault samples`,
    );
    labels = imp.faults;
  } else labels = await labelsFromFiles(labelSpec.split(',').filter(Boolean));

  let samples: RetrainSamples | undefined;
  if (o.samples?.startsWith(KAFKA)) {
    const topic = o.samples.slice(KAFKA.length);
    // kept next to the model: the challenger's meta names this file
    const dir = join(root, name, 'retrain', `kafka-${new Date().toISOString().replace(/[:.]/g, '-')}`);
    await mkdir(dir, { recursive: true });
    const imp = await talkingToKafka(brokers, `importing ${topic}`, () =>
      importFromKafka({ kafka: kafka as NonNullable<typeof kafka>, metricsTopic: topic, dir }),
    );
    log(`imported ${imp.points} points from ${topic}`);
    samples = { file: imp.metricsFile };
  } else if (o.samples?.startsWith('synthetic:')) {
    const s = num('--samples', o.samples.slice('synthetic:'.length), Number.isInteger, 'synthetic:<seed>');
    samples = { synthetic: { seed: s as number } };
  } else if (o.samples) samples = { file: o.samples };

  const { readFaults } = await import('../../ml/faults.js');
  const { retrain } = await import('../../ml/retrain.js');
  const showEpochs = o.progress !== false;
  const report = await retrain({
    modelsDir: root,
    name,
    labels,
    by: 'cli',
    ...(samples ? { samples } : {}),
    ...(o.faults ? { faults: await readFaults(o.faults) } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(tolerance !== undefined ? { tolerance } : {}),
    onProgress: (p) => {
      if (p.type === 'retrain' || p.type === 'stage') log(p.message);
      else if (showEpochs)
        log(`epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  val loss ${p.valLoss.toFixed(4)}`);
    },
  });
  write(o.json ? `${JSON.stringify(report)}\n` : `${formatRetrain(report)}\n`);
  return report;
}

const f3 = (x: number) => x.toFixed(3);

/** The comparison as a few lines. */
export function formatRetrain(r: RetrainReport): string {
  const row = (what: string, e: RetrainReport['current']['evaluation']) =>
    `  ${what.padEnd(22)} PR-AUC ${f3(e.prAuc)}  F1 ${f3(e.f1)}  event F1 ${f3(e.events.f1)}  detected ${e.events.detected}/${e.events.faults}  false alarms/day ${e.events.falseAlarmsPerDay.toFixed(2)}`;
  return [
    `${r.name}: ${r.decision === 'promoted' ? `promoted version ${r.candidate.version}` : `refused version ${r.candidate.version}; version ${r.current.version} stays served`}`,
    `  ${r.reason}`,
    `  labels: ${r.labels.before} fault samples before, ${r.labels.added} added`,
    `  held-out tail from ${new Date(r.tail.tailStart).toISOString()} (${r.tail.windows} windows, the same for both):`,
    row(`current (v${r.current.version})`, r.current.evaluation),
    row(`challenger (v${r.candidate.version})`, r.candidate.evaluation),
    `  report: ${r.reportFile}`,
  ].join('\n');
}
