/**
 * Spawns src/coord/candidate-main.ts as a child process (`node --import tsx`, so the PID is the candidate
 * itself and SIGKILL really kills it) and collects the JSON lines it prints. Used by the failover tests
 * and bench/coord-failover.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface CandidateLine {
  event: string;
  id: string;
  pid: number;
  leader?: boolean;
  token?: number;
  reason?: string;
  at?: number;
  entry?: { primary: string; token: number };
  error?: string;
}

/** A candidate running as its own process (src/coord/candidate-main.ts), so it can be SIGKILLed. */
export class CandidateProcess {
  readonly lines: CandidateLine[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly id: string,
    endpoints: string[],
    opts: { ttl: number; namespace: string; promote?: string },
  ) {
    // From sources (tsx) run the .ts entry with the tsx loader; from a build, the compiled .js.
    const fromTs = import.meta.url.endsWith('.ts');
    const main = fileURLToPath(new URL(fromTs ? './candidate-main.ts' : './candidate-main.js', import.meta.url));
    const args = [...(fromTs ? ['--import', 'tsx'] : []), main, '--endpoints', endpoints.join(','), '--id', id];
    args.push('--ttl', String(opts.ttl), '--namespace', opts.namespace);
    if (opts.promote) args.push('--promote', opts.promote);
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as CandidateLine);
      } catch {
        // not ours
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The latest leadership event: whether this process currently claims leadership, and its token. */
  leadership(): { leader: boolean; token: number | undefined; at: number | undefined } {
    const last = this.lines.filter((l) => l.event === 'leadership').at(-1);
    return { leader: last?.leader === true, token: last?.token, at: last?.at };
  }

  isReady(): boolean {
    return this.lines.some((l) => l.event === 'ready');
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}
