import type { MetricPoint } from '../contracts/metric.js';

/** Where the demo sends points: the transport producer's `sendPoints` fits. */
export interface PointSink {
  sendPoints(topic: string, points: MetricPoint[]): Promise<unknown>;
}

export interface DemoOptions {
  sink: PointSink;
  topic: string;
  /** ticks of points (each tick = one data-time step); may be infinite */
  ticks: AsyncIterator<MetricPoint[]> | Iterator<MetricPoint[]>;
  /** data-time steps sent per wall-clock second */
  ticksPerSecond: number;
  log?: (msg: string) => void;
}

export interface DemoHandle {
  /** points sent so far */
  sent(): number;
  /** resolves when the ticks are exhausted or stop() was called */
  done: Promise<void>;
  stop(): Promise<void>;
}

const INTERVAL_MS = 100;

/**
 * Feed ticks to Kafka at a fixed pace (a fast data-time rate, so a demo shows anomalies within a
 * minute). A failed send is logged and retried on the next interval; it never throws.
 */
export function startDemo(opts: DemoOptions): DemoHandle {
  const perInterval = Math.max(1, Math.round((opts.ticksPerSecond * INTERVAL_MS) / 1000));
  let stopped = false;
  let sent = 0;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      wake = () => {
        clearTimeout(t);
        r();
      };
    });

  async function run(): Promise<void> {
    let pending: MetricPoint[] = [];
    let exhausted = false;
    let failures = 0;
    while (!stopped) {
      const started = Date.now();
      if (pending.length === 0 && !exhausted) {
        for (let i = 0; i < perInterval; i++) {
          const r = await opts.ticks.next();
          if (r.done) {
            exhausted = true;
            break;
          }
          pending.push(...r.value);
        }
      }
      if (pending.length > 0) {
        try {
          await opts.sink.sendPoints(opts.topic, pending);
          sent += pending.length;
          pending = [];
          failures = 0;
        } catch (err) {
          failures++;
          if (failures === 1 || failures % 50 === 0)
            opts.log?.(`demo: send failed (will retry): ${(err as Error).message}`);
        }
      }
      if (exhausted && pending.length === 0) return;
      if (stopped) return;
      await sleep(Math.max(0, INTERVAL_MS - (Date.now() - started)));
    }
  }

  const done = run();
  return {
    sent: () => sent,
    done,
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
