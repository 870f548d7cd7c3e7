import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaultSample } from '../contracts/samples.js';
import { initBackend } from './backend.js';
import { gatherRows } from './dataset.js';
import { ModelNotFoundError, TrainDataError } from './errors.js';
import { type EvalReport, evaluate } from './evaluate.js';
import { faultsBySource, readFaults } from './faults.js';
import { frameWindows, inputSize } from './features.js';
import { type Frame, type Frames, readFrames } from './frames.js';
import { mergeFaults } from './import-kafka.js';
import { faultLabels } from './labels.js';
import type { TrainedModel } from './model.js';
import { promoteVersion, recordDecision, servedVersion } from './promote.js';
import { type LoadedVersion, loadModel, promotedVersion } from './registry.js';
import type { TrainRequestInput } from './request.js';
import { generateSamples } from './synthetic.js';
import { startTraining, type TrainProgress, type TrainResult } from './train.js';

/**
 * The feedback loop: verified outcomes and operator labels (as FaultSamples, see import-kafka.ts)
 * join the fault samples; a challenger is trained on the enlarged set with the SAME time split as
 * the served version (its training and validation periods; nothing from the held-out tail), both are
 * evaluated on the same held-out windows with the same (enlarged) labels, and the challenger is
 * promoted only when it is not worse (PROMOTION_RULE). Every decision is recorded with both
 * evaluations (promotions.jsonl) and a report (`<name>/retrain/<version>.json`).
 */

export const PROMOTION_RULE =
  'promote when the challenger is not worse on the same held-out windows: PR-AUC >= current PR-AUC - tolerance ' +
  'AND event-level F1 >= current event-level F1 - tolerance (default tolerance 0: ties promote, the challenger has seen more labels)';

export interface PromotionDecision {
  promote: boolean;
  reason: string;
}

const f3 = (x: number) => x.toFixed(3);

/** The promotion rule (PROMOTION_RULE) on two evaluations of the same windows. */
export function decidePromotion(current: EvalReport | null, candidate: EvalReport, tolerance = 0): PromotionDecision {
  if (!current) return { promote: true, reason: 'no current version to compare with' };
  const worse: string[] = [];
  if (candidate.prAuc < current.prAuc - tolerance)
    worse.push(`PR-AUC ${f3(candidate.prAuc)} < ${f3(current.prAuc)}${tolerance ? ` - ${tolerance}` : ''}`);
  if (candidate.events.f1 < current.events.f1 - tolerance)
    worse.push(`event F1 ${f3(candidate.events.f1)} < ${f3(current.events.f1)}${tolerance ? ` - ${tolerance}` : ''}`);
  if (worse.length > 0) return { promote: false, reason: `challenger is worse: ${worse.join('; ')}` };
  return {
    promote: true,
    reason: `challenger is not worse: PR-AUC ${f3(candidate.prAuc)} vs ${f3(current.prAuc)}, event F1 ${f3(candidate.events.f1)} vs ${f3(current.events.f1)}`,
  };
}

/** A frame's columns reordered to `metrics` (a metric the frame lacks is missing throughout). */
function reorder(frames: Frames, metrics: readonly string[]): Frame[] {
  const col = metrics.map((m) => frames.metrics.indexOf(m));
  const M0 = frames.metrics.length;
  const M = metrics.length;
  return frames.frames.map((f) => {
    const n = f.ts.length;
    const values = new Float64Array(n * M).fill(Number.NaN);
    for (let i = 0; i < n; i++)
      for (let m = 0; m < M; m++) {
        const c = col[m] as number;
        if (c >= 0) values[i * M + m] = f.values[i * M0 + c] as number;
      }
    return { source: f.source, ts: f.ts, values };
  });
}

export interface TailWindows {
  /** first and last row ts of the data */
  from: number;
  to: number;
  tailStart: number;
  windows: number;
}

/**
 * Evaluate a model on the held-out tail starting at `tailStart`: the windows whose rows all lie at
 * or after it and whose label horizon ends within the data (the test-split rule of split.ts), through
 * the model's own feature schema (its scaler), with labels from `faults`. Predictor: windows ending
 * inside a fault are excluded, as in training.
 */
export function evaluateOnTail(
  model: TrainedModel,
  frames: Frames,
  faults: readonly FaultSample[],
  tailStart: number,
): { evaluation: EvalReport; tail: TailWindows } {
  const meta = model.meta;
  if (meta.kind === 'forecaster')
    throw new TrainDataError('retrain compares autoencoders and fault predictors; a forecaster is not supported yet');
  const schema = meta.features;
  const D = inputSize(schema);
  const parts = reorder(frames, schema.metrics).map((f) => frameWindows(schema, f));
  const n = parts.reduce((a, p) => a + p.n, 0);
  const x = new Float32Array(n * D);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const src = new Int32Array(n);
  let k = 0;
  parts.forEach((p, s) => {
    x.set(p.x, k * D);
    start.set(p.start, k);
    end.set(p.end, k);
    src.fill(s, k, k + p.n);
    k += p.n;
  });
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const f of frames.frames) {
    if (f.ts.length === 0) continue;
    from = Math.min(from, f.ts[0] as number);
    to = Math.max(to, f.ts[f.ts.length - 1] as number);
  }
  const sources = frames.frames.map((f) => f.source);
  const isPredictor = meta.kind === 'predictor';
  const classes = isPredictor ? meta.classes : [];
  const K = classes.length;
  const horizonMs = meta.horizonMs;
  const bySource = faultsBySource(faults);
  const labels = faultLabels({ n, start, end, src, sources }, bySource, classes, horizonMs);
  const picked: number[] = [];
  for (let i = 0; i < n; i++) {
    if ((start[i] as number) < tailStart || (end[i] as number) + horizonMs > to) continue;
    if (isPredictor && labels.ongoing[i] === 1) continue;
    picked.push(i);
  }
  const idx = Int32Array.from(picked);
  if (idx.length === 0)
    throw new TrainDataError(
      `no window of the data lies in the held-out tail from ${new Date(tailStart).toISOString()}`,
    );
  const out = model.predict(gatherRows(x, D, idx), idx.length);
  if (out.kind === 'forecaster') throw new TrainDataError('a forecaster cannot be evaluated here');
  const evalK = isPredictor ? K : 1;
  const evalLabels = new Float32Array(idx.length * evalK);
  idx.forEach((i, j) => {
    if (isPredictor) for (let c = 0; c < K; c++) evalLabels[j * K + c] = labels.y[i * K + c] as number;
    else evalLabels[j] = labels.nearFault[i] as number;
  });
  const evaluation = evaluate({
    idx,
    end,
    src,
    sources,
    scores: out.kind === 'predictor' ? out.probs : out.score,
    labels: evalLabels,
    K: evalK,
    classes: isPredictor ? classes : null,
    faults: bySource,
    threshold: meta.kind === 'predictor' ? meta.threshold : meta.anomaly.threshold,
    horizonMs,
    until: isPredictor ? 'start' : 'end',
    graceMs: isPredictor ? 0 : (schema.window - 1) * schema.stepMs,
  });
  return { evaluation, tail: { from, to, tailStart, windows: idx.length } };
}

/** Metric history for a retrain: a file, or generated samples (seed). */
export type RetrainSamples = { file: string; source?: string; metric?: string } | { synthetic: { seed: number } };

export type RetrainProgress = TrainProgress | { type: 'retrain'; message: string };

export interface RetrainOptions {
  modelsDir: string;
  name: string;
  /** default: what the served version was trained on, when that was a file or `synthetic:seed=N` */
  samples?: RetrainSamples;
  /** the fault samples known before (default: the served version's fault file, or the generated faults) */
  faults?: readonly FaultSample[];
  /** the new labels: operator labels and samples from verified outcomes */
  labels: readonly FaultSample[];
  epochs?: number;
  seed?: number;
  batchSize?: number;
  tolerance?: number;
  /** recorded as who decided (default `retrain`) */
  by?: string;
  /** trains and saves the challenger (default: startTraining, in a worker thread) */
  train?: (req: TrainRequestInput, onProgress: (p: TrainProgress) => void) => Promise<TrainResult>;
  onProgress?: (p: RetrainProgress) => void;
}

export interface RetrainReport {
  name: string;
  at: string;
  rule: string;
  tolerance: number;
  decision: 'promoted' | 'refused';
  reason: string;
  /** the served version now */
  served: number;
  current: { version: number; evaluation: EvalReport };
  candidate: { version: number; evaluation: EvalReport; trainingSeconds: number };
  /** the held-out windows both were evaluated on */
  tail: TailWindows;
  labels: { before: number; added: number; total: number };
  samples: string;
  reportFile: string;
}

function samplesFromMeta(samples: string): RetrainSamples {
  const m = /^synthetic:seed=(-?\d+)$/.exec(samples);
  if (m) return { synthetic: { seed: Number(m[1]) } };
  return { file: samples };
}

const defaultTrain: NonNullable<RetrainOptions['train']> = (req, onProgress) => startTraining(req, onProgress).result;

/** Train a challenger on the enlarged labels, compare it with the served version, promote or refuse it. */
export async function retrain(opts: RetrainOptions): Promise<RetrainReport> {
  const { modelsDir: root, name } = opts;
  const say = (message: string) => opts.onProgress?.({ type: 'retrain', message });
  const tolerance = opts.tolerance ?? 0;
  const served = await servedVersion(root, name);
  if (served === null) throw new ModelNotFoundError(`no model named ${JSON.stringify(name)} in ${root}`);
  await initBackend();
  const models: LoadedVersion[] = [];
  // inputs are kept next to the model (the challenger's meta names them: a later retrain starts from them)
  const dir = join(root, name, 'retrain');
  await mkdir(dir, { recursive: true });
  try {
    const current = await loadModel(root, name, served);
    models.push(current);
    const cm = current.meta;
    if (cm.kind === 'forecaster')
      throw new TrainDataError('retrain compares autoencoders and fault predictors; a forecaster is not supported yet');
    const t = cm.training;
    const samples = opts.samples ?? samplesFromMeta(t.samples);
    let metricsFile: string;
    let base: readonly FaultSample[];
    let readOpts: { source?: string; metric?: string } = {};
    if ('synthetic' in samples) {
      const data = generateSamples({ seed: samples.synthetic.seed });
      metricsFile = join(dir, `synthetic-seed-${samples.synthetic.seed}.jsonl`);
      if (!existsSync(metricsFile))
        await writeFile(metricsFile, data.points.map((p) => `${JSON.stringify(p)}\n`).join(''));
      base = opts.faults ?? data.faults;
    } else {
      metricsFile = samples.file;
      readOpts = { source: samples.source, metric: samples.metric };
      base = opts.faults ?? (t.faults && t.faults !== 'synthetic' ? await readFaults(t.faults) : []);
    }
    const before = mergeFaults(base);
    const merged = mergeFaults(base, opts.labels);
    say(
      `version ${served} is served; ${opts.labels.length} new labels → ${merged.length} fault samples (${before.length} before)`,
    );
    const faultsFile = join(dir, `faults-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
    await writeFile(faultsFile, merged.map((f) => `${JSON.stringify(f)}\n`).join(''));
    const frames = await readFrames(metricsFile, readOpts);

    // the same time split as the served version: its train and validation periods; the tail is held out
    let from = Number.POSITIVE_INFINITY;
    let to = Number.NEGATIVE_INFINITY;
    for (const f of frames.frames) {
      if (f.ts.length === 0) continue;
      from = Math.min(from, f.ts[0] as number);
      to = Math.max(to, f.ts[f.ts.length - 1] as number);
    }
    const span = to - from;
    const train = (t.trainEnd - from) / span;
    const val = (t.valEnd - t.trainEnd) / span;
    if (!(span > 0) || !(train > 0) || !(val > 0) || !(train + val < 1))
      throw new TrainDataError(
        `the samples (${new Date(from).toISOString()} .. ${new Date(to).toISOString()}) do not cover version ${served}'s ` +
          `split (train until ${new Date(t.trainEnd).toISOString()}, validation until ${new Date(t.valEnd).toISOString()}) with a tail after it`,
      );

    // never let the challenger be served by accident: pin the served version first
    if ((await promotedVersion(root, name)) === null)
      await promoteVersion(root, name, served, {
        by: opts.by ?? 'retrain',
        reason: 'pinned before training a challenger',
      });

    say('training the challenger');
    const req: TrainRequestInput = {
      kind: cm.kind,
      name,
      samples: { file: metricsFile, ...readOpts },
      faults: faultsFile,
      horizonMs: cm.horizonMs,
      window: cm.features.window,
      seed: opts.seed ?? t.seed,
      fractions: { train, val },
      threshold: cm.kind === 'predictor' ? cm.threshold : cm.anomaly.threshold,
      modelsDir: root,
      save: true,
      ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
      ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
    };
    const result = await (opts.train ?? defaultTrain)(req, (p) => opts.onProgress?.(p));
    if (result.version === null) throw new TrainDataError('the challenger was not saved');
    const candidate = await loadModel(root, name, result.version);
    models.push(candidate);

    say(`evaluating versions ${served} and ${result.version} on the same held-out tail`);
    const cur = evaluateOnTail(current.model, frames, merged, t.valEnd);
    const cand = evaluateOnTail(candidate.model, frames, merged, t.valEnd);
    const d = decidePromotion(cur.evaluation, cand.evaluation, tolerance);
    const evaluations = { current: cur.evaluation, candidate: cand.evaluation };
    const by = opts.by ?? 'retrain';
    const at = new Date().toISOString();
    if (d.promote) await promoteVersion(root, name, result.version, { by, reason: d.reason, evaluations });
    else
      await recordDecision(root, name, {
        at,
        decision: 'refused',
        version: result.version,
        previous: served,
        by,
        reason: d.reason,
        evaluations,
      });
    const reportFile = join(dir, `${result.version}.json`);
    const report: RetrainReport = {
      name,
      at,
      rule: PROMOTION_RULE,
      tolerance,
      decision: d.promote ? 'promoted' : 'refused',
      reason: d.reason,
      served: d.promote ? result.version : served,
      current: { version: served, evaluation: cur.evaluation },
      candidate: { version: result.version, evaluation: cand.evaluation, trainingSeconds: result.training.seconds },
      tail: cur.tail,
      labels: { before: before.length, added: merged.length - before.length, total: merged.length },
      samples: 'synthetic' in samples ? `synthetic:seed=${samples.synthetic.seed}` : samples.file,
      reportFile,
    };
    await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    for (const m of models) m.model.dispose();
  }
}
