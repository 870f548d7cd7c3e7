import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface HealLine {
  event: string;
  id: string;
  pid: number;
  leader?: boolean;
  token?: number;
  reason?: string;
  at?: number;
}

const MAIN = fileURLToPath(new URL('../../../src/heal/service/main.ts', import.meta.url));

/**
 * A heal engine process (src/heal/service/main.ts) run with `node --import tsx`, so its PID is the
 * engine itself and SIGKILL really kills it. Collects its --events lines; keeps its last log lines.
 */
export class HealProcess {
  readonly lines: HealLine[] = [];
  readonly log: string[] = [];
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(
    readonly id: string,
    pipelineFile: string,
    brokers: string[],
  ) {
    const args = ['--import', 'tsx', MAIN, '--pipeline', pipelineFile, '--brokers', brokers.join(',')];
    args.push('--id', id, '--events', '--log-level', 'info');
    this.child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as HealLine);
      } catch {
        this.log.push(line);
      }
    });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.log.push(line);
      if (this.log.length > 200) this.log.shift();
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  isReady(): boolean {
    return this.lines.some((l) => l.event === 'ready');
  }

  /** the latest leadership event */
  leadership(): { leader: boolean; token: number | undefined; at: number | undefined } {
    const last = this.lines.filter((l) => l.event === 'leadership').at(-1);
    return { leader: last?.leader === true, token: last?.token, at: last?.at };
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}
