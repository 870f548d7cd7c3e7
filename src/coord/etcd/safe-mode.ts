import { diagnoseEtcd } from './diagnose.js';

export interface SafeModeOptions {
  endpoints: string[];
  /** Enter safe mode when no etcd call has succeeded for this long. */
  afterMs: number;
  /** How often to probe etcd when nothing else has talked to it. */
  probeIntervalMs: number;
  /** A linearizable read used as the probe (needs quorum, like every write). */
  probe: () => Promise<unknown>;
  onChange: () => void;
}

/**
 * Tracks whether etcd (with quorum) answers. Every successful call counts as contact; when nothing has
 * succeeded for `afterMs`, safe mode: the coordinator reports it and must not act. The reason says
 * whether etcd is unreachable or has lost quorum. Leaves safe mode at the next successful call.
 */
export class SafeModeMonitor {
  private lastContactAt = performance.now();
  private safe = false;
  private why = '';
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private stopped = false;

  constructor(private readonly opts: SafeModeOptions) {}

  start(): void {
    this.stopped = false;
    this.lastContactAt = performance.now();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Called by every successful etcd call. */
  contact(): void {
    this.lastContactAt = performance.now();
    if (this.safe) {
      this.safe = false;
      this.why = '';
      this.opts.onChange();
    }
  }

  /** True when no call has succeeded for `afterMs` (evaluated against the clock at each call). */
  isSafeMode(): boolean {
    if (!this.safe && performance.now() - this.lastContactAt >= this.opts.afterMs) this.enter();
    return this.safe;
  }

  reason(): string {
    return this.safe ? this.why : '';
  }

  /** Ms since the last successful etcd call. */
  silentMs(): number {
    return performance.now() - this.lastContactAt;
  }

  private enter(): void {
    this.safe = true;
    this.why = `safe mode: no answer from etcd for ${this.silentMs()} ms`;
    this.opts.onChange();
    const entered = this.lastContactAt;
    void diagnoseEtcd(this.opts.endpoints, this.lastError).then((why) => {
      if (this.safe && this.lastContactAt === entered) {
        this.why = `safe mode: ${why}`;
        this.opts.onChange();
      }
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.opts.probeIntervalMs);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.isSafeMode();
    if (!this.probing && performance.now() - this.lastContactAt >= this.opts.probeIntervalMs) {
      this.probing = true;
      try {
        await this.opts.probe(); // contact() is recorded by the call wrapper on success
      } catch (err) {
        this.lastError = (err as Error).message;
        this.isSafeMode();
      } finally {
        this.probing = false;
      }
    }
    this.schedule();
  }
}
