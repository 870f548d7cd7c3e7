import { execFile } from 'node:child_process';
import type { Action } from '../../contracts/action.js';
import { FencingGuard } from '../../coord/fencing-guard.js';
import { ActuatorRejectedError, ActuatorUnavailableError } from '../errors.js';
import { compileGlob } from '../glob.js';
import type { Actuator, ActuatorResult } from './actuator.js';
import { renderArgv, SAFE_VALUE } from './argv-template.js';
import type { CommandActuatorConfig } from './config.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one executable with an argv array (no shell). Injectable for tests. */
export type RunFile = (
  file: string,
  args: string[],
  opts: { timeoutMs: number; signal?: AbortSignal },
) => Promise<RunResult>;

/** sysexits EX_TEMPFAIL: the command says "try again later". */
export const EXIT_TEMPFAIL = 75;

/** The default runner: child_process.execFile with shell: false and an empty environment but PATH. */
export const runFile: RunFile = (file, args, opts) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        shell: false,
        timeout: opts.timeoutMs,
        maxBuffer: 256 * 1024,
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
        windowsHide: true,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(err);
          return;
        }
        if (err && (err.killed || err.signal)) {
          resolve({ code: -1, stdout: String(stdout), stderr: `killed by ${err.signal ?? 'timeout'}` });
          return;
        }
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });

/**
 * Runs an allowlisted executable with an argv template per strategy. Never a shell; the executable
 * comes from the configuration only and must be in `allow`; event content reaches argv only through
 * validated placeholders (SAFE_VALUE), each as exactly one argument. Exit 0 = accepted; 75 (EX_TEMPFAIL) or killed (timeout) = retriable; else rejected.
 */
export class CommandActuator implements Actuator {
  readonly kind = 'command';
  readonly name: string;
  private readonly guard: FencingGuard;
  private readonly allow: ReadonlySet<string>;
  private readonly targetMatchers: Array<(n: string) => boolean>;

  constructor(
    private readonly config: CommandActuatorConfig,
    private readonly run: RunFile = runFile,
  ) {
    this.name = config.name;
    this.guard = new FencingGuard(`actuator ${config.name}`);
    this.allow = new Set(config.allow);
    this.targetMatchers = config.targets.map(compileGlob);
  }

  /** The executable and argv an action would run (throws ActuatorRejectedError if it may not run). */
  plan(action: Action): { file: string; args: string[] } {
    const cmd = this.config.commands[action.strategy];
    if (!cmd) throw new ActuatorRejectedError(this.name, `no command for strategy ${action.strategy}`);
    if (!this.allow.has(cmd.exec)) throw new ActuatorRejectedError(this.name, `${cmd.exec} is not allowlisted`);
    if (!SAFE_VALUE.test(action.target)) {
      throw new ActuatorRejectedError(
        this.name,
        `target ${JSON.stringify(action.target.slice(0, 80))} is not a safe name`,
      );
    }
    if (this.targetMatchers.length > 0 && !this.targetMatchers.some((m) => m(action.target))) {
      throw new ActuatorRejectedError(this.name, `target ${action.target} is not one this actuator manages`);
    }
    return { file: cmd.exec, args: renderArgv(this.name, cmd.args, action) };
  }

  async execute(action: Action, ctx: { signal?: AbortSignal } = {}): Promise<ActuatorResult> {
    if (action.fencingToken === null) throw new ActuatorRejectedError(this.name, 'action has no fencing token');
    this.guard.check(action.fencingToken);
    const { file, args } = this.plan(action);
    let r: RunResult;
    try {
      r = await this.run(file, args, {
        timeoutMs: this.config.timeout,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
    } catch (err) {
      throw new ActuatorUnavailableError(this.name, `${file} could not run: ${(err as Error).message}`, { cause: err });
    }
    const details = {
      exec: file,
      args,
      code: r.code,
      stdout: r.stdout.slice(0, 2000),
      stderr: r.stderr.slice(0, 2000),
    };
    if (r.code === 0) return { details };
    const what = `${file} exited with ${r.code}${r.stderr ? `: ${r.stderr.trim().slice(0, 200)}` : ''}`;
    if (r.code === EXIT_TEMPFAIL || r.code === -1) throw new ActuatorUnavailableError(this.name, what);
    throw new ActuatorRejectedError(this.name, what);
  }
}
