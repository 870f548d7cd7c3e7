import type { MetricPoint } from '../contracts/metric.js';
import { DEFAULT_NAB_SERIES, findNabSeries, nabTicks } from '../sim/nab.js';
import { createSimulator } from '../sim/simulator.js';
import { UsageError } from './errors.js';

export type DemoKind = 'nab' | 'sim';

export interface DemoSource {
  kind: DemoKind;
  description: string;
  ticks: AsyncIterator<MetricPoint[]> | Iterator<MetricPoint[]>;
  /** data-time steps per wall second */
  ticksPerSecond: number;
}

function* simTicks(seed: number): Generator<MetricPoint[]> {
  const sim = createSimulator({ seed });
  for (;;) yield sim.tick();
}

/**
 * The demo load for `faultline start`: a NAB series (real data with a known failure) when the NAB
 * data is next to the project, else the simulator. Both run at a fast data-time rate so anomalies
 * show within a minute.
 */
export function demoSource(requested: string | undefined, seed = 42): DemoSource {
  if (requested !== undefined && requested !== 'nab' && requested !== 'sim') {
    throw new UsageError(`--demo: expected "nab" or "sim", got ${JSON.stringify(requested)}`);
  }
  const nab = requested === 'sim' ? undefined : findNabSeries();
  if (requested === 'nab' && !nab) {
    throw new UsageError(
      `--demo nab: NAB data not found (looked for ${DEFAULT_NAB_SERIES} under ../shared/data/nab/data or $FAULTLINE_NAB_DIR); use --demo sim`,
    );
  }
  if (nab) {
    return {
      kind: 'nab',
      description: `NAB ${DEFAULT_NAB_SERIES} as source "nab", metric "machine_temperature" (5-min data steps, 100 per second, looping)`,
      ticks: nabTicks(nab, { loop: true }),
      ticksPerSecond: 100,
    };
  }
  return {
    kind: 'sim',
    description:
      'simulator: sources web-1, web-2, db-1 × cpu, latency_ms, error_rate (1-min data steps, 10 per second) with injected spikes, level shifts and drifts',
    ticks: simTicks(seed),
    ticksPerSecond: 10,
  };
}
