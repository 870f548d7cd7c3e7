/**
 * `npx tsx bench/chaos.ts [--json] [--seed N] [--scenario standard|quick|burst] [--no-predictor]`
 *
 * The chaos scorecard of issue 5: the standard scenario (12 nodes, 30 faults over a simulated day,
 * seed 1) run in process through the detectors, the fault predictor (models/chaos-predictor, when
 * installed) and the heal engine (src/sim/cluster). Progress on stderr, the scorecard on stdout; with
 * --json the last line is the scorecard as one JSON object.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PredictorWarnings } from '../src/sim/cluster/predictor.js';
import { formatScorecard, type SCORECARD_TARGETS, targetChecks } from '../src/sim/cluster/report.js';
import { runChaos } from '../src/sim/cluster/runner.js';
import { DEFAULT_SEED } from '../src/sim/cluster/scenarios.js';
import type { Scorecard } from '../src/sim/cluster/scorecard.js';
import { projectRoot } from '../src/sim/project-root.js';

export interface ChaosBenchResult extends Scorecard {
  bench: 'chaos';
  /** wall-clock time of the run and points scored */
  wall_s: number;
  points: number;
  /** the fault predictor that acted on early warnings, or null */
  predictor: string | null;
  /** which of the targets are met */
  targets_met: Record<keyof typeof SCORECARD_TARGETS, boolean>;
}

export async function runChaosBench(
  opts: { scenario?: string; seed?: number; predictor?: boolean; progress?: (m: string) => void } = {},
): Promise<ChaosBenchResult> {
  const say = opts.progress ?? (() => {});
  const models = join(projectRoot(), 'models');
  const predictor =
    opts.predictor !== false && existsSync(join(models, 'chaos-predictor'))
      ? await PredictorWarnings.load(models, 'chaos-predictor')
      : undefined;
  let lastTenth = -1;
  const r = await runChaos({
    ...(predictor ? { warnings: predictor, actOnWarnings: true } : {}),
    scenario: opts.scenario ?? 'standard',
    seed: opts.seed ?? DEFAULT_SEED,
    onProgress: (p) => {
      const tenth = Math.floor((10 * p.done) / Math.max(1, p.total));
      if (p.phase === 'chaos' && tenth !== lastTenth) {
        lastTenth = tenth;
        say(
          `${(p.done / 3_600_000).toFixed(1)} h of ${(p.total / 3_600_000).toFixed(0)} h: faults ${p.faultsInjected}, actions ${p.actions}`,
        );
      }
    },
  });
  predictor?.dispose();
  const targets = Object.fromEntries(
    targetChecks(r.scorecard).map((c) => [c.key, c.met]),
  ) as ChaosBenchResult['targets_met'];
  return {
    bench: 'chaos',
    ...r.scorecard,
    wall_s: Math.round(r.wallMs / 100) / 10,
    points: r.points,
    predictor: predictor?.rule ?? null,
    targets_met: targets,
  };
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seed = value('--seed');
  const result = await runChaosBench({
    scenario: value('--scenario') ?? 'standard',
    ...(seed !== undefined ? { seed: Number(seed) } : {}),
    predictor: !args.includes('--no-predictor'),
    progress: (m) => process.stderr.write(`[chaos] ${m}\n`),
  });
  process.stdout.write(
    `${formatScorecard(result)}\n  predictor ${result.predictor ?? 'none'}; wall time ${result.wall_s} s, ${result.points} points scored\n`,
  );
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
}
