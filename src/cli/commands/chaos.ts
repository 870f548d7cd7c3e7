import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { loadPipeline } from '../../config/load.js';
import type { PredictorWarnings } from '../../sim/cluster/predictor.js';
import { formatScorecard } from '../../sim/cluster/report.js';
import { type ChaosProgress, loadChaosPipeline, runChaos } from '../../sim/cluster/runner.js';
import { SCENARIO_NAMES } from '../../sim/cluster/scenarios.js';
import type { Scorecard } from '../../sim/cluster/scorecard.js';
import { projectRoot } from '../../sim/project-root.js';
import { UsageError } from '../errors.js';

export interface ChaosOptions {
  scenario?: string;
  seed?: string;
  pipeline?: string;
  actuator?: string;
  /** fault predictor model name in the registry; 'none' = no predictor */
  predictor?: string;
  modelsDir?: string;
  writeHistory?: string;
  days?: string;
  json?: boolean;
  progress?: boolean;
}

/** The default predictor: models/chaos-predictor, used when it is there. */
export const DEFAULT_PREDICTOR = 'chaos-predictor';

/** The fault predictor to use, or undefined (none asked for, or the default one is not installed). */
async function predictorOf(o: ChaosOptions): Promise<PredictorWarnings | undefined> {
  const name = o.predictor ?? DEFAULT_PREDICTOR;
  if (name === 'none') return undefined;
  const root = o.modelsDir ?? resolve(projectRoot(), 'models');
  if (o.predictor === undefined && !existsSync(join(root, name))) return undefined;
  const { PredictorWarnings } = await import('../../sim/cluster/predictor.js');
  return PredictorWarnings.load(root, name);
}

const HOUR = 3_600_000;

/** A progress bar on stderr (a line per phase step when stderr is not a terminal or --no-progress). */
function progressReporter(bar: boolean): { onProgress: (p: ChaosProgress) => void; stop: () => void } {
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const b = new SingleBar({
    format: 'chaos {phase} |{bar}| {hours} of {total_h} h simulated | faults {faults} | actions {actions}',
    hideCursor: true,
    stream: process.stderr,
  });
  let phase: ChaosProgress['phase'] | undefined;
  let lastLine = -1;
  return {
    onProgress(p) {
      const payload = {
        phase: p.phase === 'warmup' ? 'warm-up' : 'faults ',
        hours: (p.done / HOUR).toFixed(1),
        total_h: (p.total / HOUR).toFixed(0),
        faults: p.faultsInjected,
        actions: p.actions,
      };
      if (!bar) {
        const tenth = Math.floor((10 * p.done) / Math.max(1, p.total));
        if (p.phase !== phase || tenth !== lastLine) {
          phase = p.phase;
          lastLine = tenth;
          log(
            `chaos ${payload.phase.trim()}: ${payload.hours}/${payload.total_h} h simulated, faults ${p.faultsInjected}, actions ${p.actions}`,
          );
        }
        return;
      }
      if (p.phase !== phase) {
        if (phase !== undefined) b.stop();
        phase = p.phase;
        b.start(p.total, p.done, payload);
        return;
      }
      b.update(p.done, payload);
    },
    stop() {
      if (phase !== undefined && bar) b.stop();
      phase = undefined;
    },
  };
}

function seedOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new UsageError(`--seed: expected an integer from 0 to 4294967295, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * `faultline chaos`: run a chaos scenario in process (simulated cluster → detectors and the fault
 * predictor → heal engine → actuator, all in data time) and print its scorecard; with --json the last
 * line is the scorecard as one JSON object. With --write-history, write predictor training data instead.
 */
export async function runChaosCommand(
  o: ChaosOptions,
  write: (s: string) => void = (s) => process.stdout.write(s),
): Promise<Scorecard | undefined> {
  const name = o.scenario ?? 'standard';
  if (!SCENARIO_NAMES.includes(name)) {
    throw new UsageError(`--scenario: unknown scenario "${name}" (known: ${SCENARIO_NAMES.join(', ')})`);
  }
  const actuator = o.actuator ?? 'sim';
  if (actuator !== 'sim' && actuator !== 'webhook') {
    throw new UsageError(`--actuator: expected sim or webhook, got ${JSON.stringify(actuator)}`);
  }
  const seed = seedOf(o.seed);
  if (o.writeHistory !== undefined) {
    await writeTrainingHistory(o, seed, write);
    return undefined;
  }
  const pipeline = o.pipeline ? loadPipeline(o.pipeline, { env: {} }) : loadChaosPipeline();
  const predictor = await predictorOf(o);
  if (predictor)
    process.stderr.write(`chaos: fault predictor ${predictor.rule} (warnings at p ≥ ${predictor.threshold})\n`);
  const progress = progressReporter(o.progress !== false && Boolean(process.stderr.isTTY));
  let scorecard: Scorecard;
  try {
    const r = await runChaos({
      scenario: name,
      ...(seed !== undefined ? { seed } : {}),
      pipeline,
      actuator,
      ...(predictor ? { warnings: predictor, actOnWarnings: true } : {}),
      onProgress: progress.onProgress,
    });
    scorecard = r.scorecard;
    progress.stop();
    process.stderr.write(
      `chaos: ${r.points.toLocaleString('en-US')} points scored in ${(r.wallMs / 1000).toFixed(1)} s of wall time\n`,
    );
  } finally {
    progress.stop();
    predictor?.dispose();
  }
  write(`${formatScorecard(scorecard)}\n`);
  if (o.json) write(`${JSON.stringify(scorecard)}\n`);
  return scorecard;
}

/** `--write-history <dir>`: simulated history to train a fault predictor with `faultline train`. */
async function writeTrainingHistory(
  o: ChaosOptions,
  seed: number | undefined,
  write: (s: string) => void,
): Promise<void> {
  const days = o.days === undefined ? 5 : Number(o.days);
  if (!Number.isInteger(days) || days < 1 || days > 60) {
    throw new UsageError(`--days: expected an integer from 1 to 60, got ${JSON.stringify(o.days)}`);
  }
  const { generateHistory, writeHistory } = await import('../../sim/cluster/history.js');
  const h = generateHistory({ days, ...(seed !== undefined ? { seed } : {}) });
  const files = await writeHistory(o.writeHistory as string, h);
  write(
    `wrote ${h.points.length} points (${days} days, 12 nodes) → ${files.metrics}\n` +
      `wrote ${h.faults.length} resource-exhaustion faults (of ${h.injected} injected) → ${files.faults}\n` +
      `train: faultline train --samples ${files.metrics} --faults ${files.faults} --model predictor --horizon 15m --name ${DEFAULT_PREDICTOR}\n`,
  );
}
