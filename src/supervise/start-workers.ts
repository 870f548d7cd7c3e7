import { UsageError } from '../cli/errors.js';
import { createLog } from '../transport/log.js';
import { healChildren } from './heal.js';
import { describeLimit, type IntensityLimit } from './intensity.js';
import { type Supervisor, startSupervisor } from './supervisor.js';
import { workerChildren } from './workers.js';

/** The supervisor gave up (restart intensity exceeded). Exit code 1; retrying the same way will not help. */
export class SupervisorGaveUpError extends Error {
  readonly retriable = false;
  override readonly name = 'SupervisorGaveUpError';
}

/** `--workers N`: an integer 1..64 */
export function parseWorkerCount(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 64)
    throw new UsageError(`--workers: expected an integer from 1 to 64, got ${JSON.stringify(raw)}`);
  return n;
}

/** default intensity of `faultline start --workers`: 5 restarts in 60 s */
export const START_INTENSITY: IntensityLimit = { maxRestarts: 5, periodMs: 60_000 };

/**
 * `faultline start --workers N`: N detect worker processes (src/worker/main) in the pipeline's
 * consumer group and, with `heal`, heal engine processes (src/heal/service/main), all under one
 * one-for-one supervisor. Their warnings and errors are shown prefixed with the child's name.
 */
export function startWorkerSupervisor(o: {
  workers: string;
  pipelineFile: string;
  brokers: string[];
  say: (line: string) => void;
  intensity?: IntensityLimit;
  /** heal engine processes: how many, and etcd endpoints when they elect a leader there */
  heal?: { count: number; etcd?: string[] };
}): Supervisor {
  const count = parseWorkerCount(o.workers);
  const intensity = o.intensity ?? START_INTENSITY;
  const heal = o.heal
    ? healChildren({
        count: o.heal.count,
        pipelineFile: o.pipelineFile,
        brokers: o.brokers,
        ...(o.heal.etcd ? { etcd: o.heal.etcd } : {}),
      })
    : [];
  const sup = startSupervisor({
    children: [...workerChildren({ count, pipelineFile: o.pipelineFile, brokers: o.brokers }), ...heal],
    intensity,
    log: createLog({ name: 'supervisor', level: 'warn' }),
    onOutput: (child, line) => {
      if (/\b(WARN|ERROR)\b/.test(line)) process.stderr.write(`[${child}] ${line}\n`);
    },
  });
  o.say(
    `supervised processes: ${count} detect worker${count === 1 ? '' : 's'}` +
      (heal.length > 0 ? `, ${heal.length} heal engine${heal.length === 1 ? '' : 's'}` : '') +
      ` (one-for-one restarts, at most ${describeLimit(intensity)})`,
  );
  return sup;
}

/** resolves on `shutdown`; rejects with SupervisorGaveUpError when the supervisor gives up first */
export async function untilShutdownOrGaveUp(shutdown: Promise<unknown>, sup: Supervisor | undefined): Promise<void> {
  if (!sup) {
    await shutdown;
    return;
  }
  const end = await Promise.race([shutdown.then(() => null), sup.done]);
  if (end && end.state === 'failed') throw new SupervisorGaveUpError(`supervised processes: ${end.reason}`);
}
