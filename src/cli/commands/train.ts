import { SingleBar } from 'cli-progress';
import { Duration } from '../../config/duration.js';
import type { EvalReport } from '../../ml/evaluate.js';
import type { TrainRequestInput } from '../../ml/request.js';
import { type TrainProgress, type TrainResult, trainInWorker } from '../../ml/train.js';
import { UsageError } from '../errors.js';

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
  if (kind !== 'autoencoder' && kind !== 'predictor')
    throw new UsageError(`--model: expected autoencoder or predictor, got ${JSON.stringify(kind ?? '(none)')}`);
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
  const req = trainRequest(o);
  const bar = progressBar(o.progress !== false && Boolean(process.stderr.isTTY));
  let result: TrainResult;
  try {
    result = await trainInWorker(req, bar.onProgress);
  } finally {
    bar.stop();
  }
  write(o.json ? `${JSON.stringify(result)}\n` : `${formatReport(result)}\n`);
  return result;
}
