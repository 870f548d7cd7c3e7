import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Log, silentLog } from '../transport/log.js';
import { describeLimit, type IntensityLimit, RestartIntensity } from './intensity.js';

/** One supervised OS process. */
export interface ChildSpec {
  /** unique within the supervisor, e.g. "worker-1" */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** an output line matching this marks the child ready (default: ready once spawned) */
  readyPattern?: RegExp;
  /**
   * OTP restart type: 'permanent' (default) — restarted whenever it exits; 'transient' — restarted
   * only when it exits abnormally (a signal or a non-zero code), e.g. a worker that stopped cleanly
   * because Ctrl-C reached its whole process group.
   */
  restart?: 'permanent' | 'transient';
}

export interface SupervisorOptions {
  children: ChildSpec[];
  /** default: at most 5 restarts in 60 s (over all children, as OTP), then give up */
  intensity?: IntensityLimit;
  /** wait before a restart (default 500 ms) */
  restartDelayMs?: number;
  /** after SIGTERM, how long a child may take before SIGKILL (default 15 s) */
  stopTimeoutMs?: number;
  log?: Log;
  /** every line a child writes (stdout and stderr) */
  onOutput?: (child: string, line: string) => void;
  /** for tests */
  now?: () => number;
}

export type ChildState = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed';

export interface ChildExit {
  code: number | null;
  signal: string | null;
  /** ISO time */
  at: string;
  /** e.g. "exit code 2", "killed by SIGKILL", "could not start: spawn ENOENT" */
  description: string;
}

export interface ChildStatus {
  name: string;
  state: ChildState;
  pid: number | null;
  restarts: number;
  /** ISO time of the current (or last) start */
  startedAt: string | null;
  /** ISO time the current run matched readyPattern (or started, without one) */
  readyAt: string | null;
  uptimeMs: number | null;
  lastExit: ChildExit | null;
  /** the child's last output lines (at most 10) */
  lastOutput: string[];
}

export interface SupervisorStatus {
  state: 'running' | 'stopping' | 'stopped' | 'failed';
  /** why it failed (gave up) */
  reason: string | null;
  intensity: IntensityLimit & { recentRestarts: number };
  children: ChildStatus[];
}

export type SupervisorEnd = { state: 'stopped' } | { state: 'failed'; reason: string };

export interface Supervisor {
  /** health of the supervisor and of each child (for the API / metrics) */
  status(): SupervisorStatus;
  /** stop every child (SIGTERM, then SIGKILL after stopTimeoutMs) */
  stop(): Promise<void>;
  /** resolves when the supervisor ends: stopped, or gave up (restart intensity exceeded) */
  done: Promise<SupervisorEnd>;
}

interface Runtime {
  spec: ChildSpec;
  proc: ChildProcess | null;
  state: ChildState;
  restarts: number;
  startedAt: number | null;
  readyAt: number | null;
  lastExit: ChildExit | null;
  output: string[];
  timer: NodeJS.Timeout | null;
  exited: Promise<void> | null;
}

const KEEP_LINES = 10;

function describeExit(code: number | null, signal: string | null, error?: string): string {
  if (error) return `could not start: ${error}`;
  if (signal) return `killed by ${signal}`;
  return `exit code ${code}`;
}

/**
 * A one-for-one supervisor of OS processes (Erlang/OTP style): when a child exits without being
 * asked to, only that child is restarted (after `restartDelayMs`), as long as the supervisor's
 * restart intensity allows — at most `maxRestarts` restarts within `periodMs`, over all children.
 * One restart more means restarting does not help: the supervisor gives up LOUDLY — it logs an
 * error with the reason (which child, how it exited, the limit, the child's last output), stops the
 * other children and resolves `done` with `{ state: 'failed', reason }`.
 */
export function startSupervisor(opts: SupervisorOptions): Supervisor {
  const log = opts.log ?? silentLog;
  const now = opts.now ?? Date.now;
  const limit = opts.intensity ?? { maxRestarts: 5, periodMs: 60_000 };
  const intensity = new RestartIntensity(limit);
  const restartDelayMs = opts.restartDelayMs ?? 500;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 15_000;
  const names = new Set<string>();
  for (const c of opts.children) {
    if (names.has(c.name)) throw new Error(`supervisor: child name "${c.name}" is used twice`);
    names.add(c.name);
  }

  let state: SupervisorStatus['state'] = 'running';
  let reason: string | null = null;
  let resolveDone: (e: SupervisorEnd) => void = () => undefined;
  const done = new Promise<SupervisorEnd>((r) => {
    resolveDone = r;
  });

  const children: Runtime[] = opts.children.map((spec) => ({
    spec,
    proc: null,
    state: 'starting',
    restarts: 0,
    startedAt: null,
    readyAt: null,
    lastExit: null,
    output: [],
    timer: null,
    exited: null,
  }));

  const keep = (c: Runtime, line: string) => {
    c.output.push(line);
    if (c.output.length > KEEP_LINES) c.output.shift();
    opts.onOutput?.(c.spec.name, line);
    if (c.state === 'starting' && c.spec.readyPattern?.test(line)) {
      c.state = 'running';
      c.readyAt = now();
    }
  };

  const launch = (c: Runtime) => {
    c.timer = null;
    if (state !== 'running') return;
    c.state = c.spec.readyPattern ? 'starting' : 'running';
    c.startedAt = now();
    c.readyAt = c.spec.readyPattern ? null : c.startedAt;
    let proc: ChildProcess;
    try {
      proc = spawn(c.spec.command, c.spec.args, {
        cwd: c.spec.cwd,
        env: c.spec.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      onExit(c, null, null, e instanceof Error ? e.message : String(e));
      return;
    }
    c.proc = proc;
    for (const stream of [proc.stdout, proc.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => keep(c, line));
    }
    let settled = false;
    c.exited = new Promise<void>((resolve) => {
      const finish = (code: number | null, signal: string | null, error?: string) => {
        if (settled) return;
        settled = true;
        resolve();
        onExit(c, code, signal, error);
      };
      proc.once('error', (e) => finish(null, null, e.message));
      // 'close': the child's output has been read to the end
      proc.once('close', (code, signal) => finish(code, signal));
    });
    log.info('child started', { child: c.spec.name, pid: proc.pid });
  };

  const onExit = (c: Runtime, code: number | null, signal: string | null, error?: string) => {
    c.proc = null;
    const description = describeExit(code, signal, error);
    c.lastExit = { code, signal, at: new Date(now()).toISOString(), description };
    if (state !== 'running' || c.state === 'stopping') {
      c.state = 'stopped';
      return;
    }
    if (c.spec.restart === 'transient' && code === 0 && signal === null && !error) {
      c.state = 'stopped';
      log.info(`child ${c.spec.name} exited normally; not restarted (transient)`, { child: c.spec.name });
      return;
    }
    const d = intensity.request(now());
    if (d.ok) {
      c.restarts++;
      c.state = 'restarting';
      log.warn(`child ${c.spec.name} ${description}; restarting it (${d.inPeriod} of ${describeLimit(limit)})`, {
        child: c.spec.name,
      });
      c.timer = setTimeout(() => launch(c), restartDelayMs);
      return;
    }
    c.state = 'failed';
    const last = c.output.length > 0 ? ` Its last output: ${c.output.slice(-3).join(' | ')}` : '';
    reason =
      `child ${c.spec.name} ${description}, and restarting it would be restart ${d.inPeriod} within ` +
      `${limit.periodMs / 1000} s, over the limit of ${describeLimit(limit)}: the fault is not transient, ` +
      `the supervisor gives up.${last}`;
    state = 'failed';
    log.error(`SUPERVISOR GAVE UP: ${reason}`);
    void stopChildren().then(() => resolveDone({ state: 'failed', reason: reason as string }));
  };

  const stopChild = async (c: Runtime) => {
    if (c.timer) {
      clearTimeout(c.timer);
      c.timer = null;
    }
    const proc = c.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      if (c.state !== 'failed') c.state = 'stopped';
      return;
    }
    c.state = 'stopping';
    proc.kill('SIGTERM');
    const killer = setTimeout(() => {
      log.warn(`child ${c.spec.name} did not stop within ${stopTimeoutMs} ms: SIGKILL`);
      proc.kill('SIGKILL');
    }, stopTimeoutMs);
    await c.exited;
    clearTimeout(killer);
  };

  const stopChildren = () => Promise.all(children.map(stopChild)).then(() => undefined);

  for (const c of children) launch(c);

  let stopping: Promise<void> | null = null;
  return {
    done,
    status() {
      const t = now();
      return {
        state,
        reason,
        intensity: { ...limit, recentRestarts: intensity.recent(t) },
        children: children.map((c) => ({
          name: c.spec.name,
          state: c.state,
          pid: c.proc?.pid ?? null,
          restarts: c.restarts,
          startedAt: c.startedAt === null ? null : new Date(c.startedAt).toISOString(),
          readyAt: c.readyAt === null ? null : new Date(c.readyAt).toISOString(),
          uptimeMs: c.proc && c.startedAt !== null ? t - c.startedAt : null,
          lastExit: c.lastExit,
          lastOutput: [...c.output],
        })),
      };
    },
    stop() {
      stopping ??= (async () => {
        if (state === 'running') {
          state = 'stopping';
          await stopChildren();
          state = 'stopped';
          resolveDone({ state: 'stopped' });
        } else {
          // it gave up: its children are being stopped already
          await done;
        }
      })();
      return stopping;
    },
  };
}
