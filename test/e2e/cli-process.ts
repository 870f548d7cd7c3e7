import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** resolves with the exit code (or the signal name) */
  exited: Promise<number | string>;
  /** wait until stdout matches, or the process exits / the time is up */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
}

/** Run `faultline <args>` (src/cli/main.ts through tsx's loader) as a child process in the project root. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(re, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let done = false;
      void exited.then(() => {
        done = true;
      });
      while (Date.now() < deadline) {
        const m = re.exec(out);
        if (m) return m;
        if (done) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no ${re} on stdout within ${timeoutMs} ms\n--- stdout ---\n${out}\n--- stderr ---\n${err}`);
    },
  };
}

/** The environment of this process without the variables that would change what `faultline` does. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('FAULTLINE_') || k === 'KAFKA_BROKERS') delete env[k];
  return { ...env, ...extra };
}
