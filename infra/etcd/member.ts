import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { killOnExit, startWatchdog, tailFile } from '../kafka/process.js';
import { type ClusterTuning, clientUrl, type MemberLayout, memberArgs } from './args.js';
import { EtcdStartError } from './errors.js';

/** A running (or stopped) etcd member started by this process. */
export interface EtcdMember {
  readonly name: string;
  readonly clientUrl: string;
  /** PID of the current process (changes after restart()). */
  readonly pid: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Whether the member process is running. */
  alive(): boolean;
  /** Sends `signal` (default SIGKILL) and waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the member again on its old data dir and ports (`--initial-cluster-state existing`). */
  restart(): Promise<void>;
}

/** One member process: spawn, exit tracking, kill and restart on the same layout. */
export class MemberProcess implements EtcdMember {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private unregister: () => void = () => {};
  private exitInfo: string | undefined;

  constructor(
    private readonly etcd: string,
    private readonly layout: MemberLayout,
    private readonly all: MemberLayout[],
    private readonly tuning: ClusterTuning,
    /** Folder of this member (data + log), removed by the watchdog if our process dies. */
    private readonly home: string,
    private readonly ownsHome: boolean,
  ) {}

  get name(): string {
    return this.layout.name;
  }
  get clientUrl(): string {
    return clientUrl(this.layout);
  }
  get pid(): number {
    return this.child?.pid ?? -1;
  }
  get dataDir(): string {
    return this.layout.dataDir;
  }
  get logFile(): string {
    return join(this.home, 'etcd.log');
  }
  /** Why the process exited ('exit code 1', 'signal SIGKILL'), undefined while running. */
  get exit(): string | undefined {
    return this.exitInfo;
  }

  alive(): boolean {
    return this.child !== undefined && this.exitInfo === undefined;
  }

  /** Spawns the process; resolves once it is running (not yet serving). */
  async spawn(state: 'new' | 'existing'): Promise<void> {
    if (this.alive()) throw new Error(`etcd member ${this.name} is already running (pid ${this.pid})`);
    mkdirSync(this.layout.dataDir, { recursive: true });
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.etcd, memberArgs(this.layout, this.all, this.tuning, state), {
        stdio: ['ignore', fd, fd],
        cwd: this.home,
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.exitInfo = undefined;
    this.unregister = killOnExit(child);
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        this.unregister();
        resolve();
      });
    });
    const spawnError = await new Promise<Error | undefined>((resolve) => {
      child.once('error', resolve);
      child.once('spawn', () => resolve(undefined));
    });
    if (spawnError) {
      this.exitInfo = `spawn failed: ${spawnError.message}`;
      throw new EtcdStartError(`could not start ${this.etcd}: ${spawnError.message}`, this.logFile, '', {
        retriable: false,
      });
    }
    startWatchdog(child.pid!, 5, this.ownsHome ? this.home : '');
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive()) return;
    this.child!.kill(signal);
    await this.exited;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive()) return;
    this.child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) await this.kill('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.spawn('existing');
  }

  logTail(lines = 30): string {
    return tailFile(this.logFile, lines);
  }
}
