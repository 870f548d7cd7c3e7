import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '../sim/project-root.js';

/**
 * What a running `faultline start` publishes in `.faultline/start.json` (gitignored), so `replay`
 * and `worker` in another terminal find the broker it started without any flags.
 */
export interface StartState {
  pid: number;
  brokers: string[];
  api: string;
  pipeline: string;
}

/** `.faultline/start.json` in the project ($FAULTLINE_STATE_FILE overrides, e.g. for tests). */
export function stateFile(): string {
  return process.env.FAULTLINE_STATE_FILE || join(projectRoot(), '.faultline', 'start.json');
}

export function writeStartState(state: StartState): void {
  const file = stateFile();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Remove the state file if it is ours. */
export function clearStartState(pid = process.pid): void {
  const s = readStartState({ checkAlive: false });
  if (s && s.pid === pid) rmSync(stateFile(), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The state of a running `faultline start`, or undefined (none, unreadable, or its process is gone). */
export function readStartState(opts: { checkAlive?: boolean } = {}): StartState | undefined {
  try {
    const s = JSON.parse(readFileSync(stateFile(), 'utf8')) as StartState;
    if (!Array.isArray(s.brokers) || typeof s.pid !== 'number') return undefined;
    if (opts.checkAlive !== false && !alive(s.pid)) return undefined;
    return s;
  } catch {
    return undefined;
  }
}
