import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { MetricPoint } from '../contracts/metric.js';
import { readCsv } from '../ingest/csv.js';
import { projectRoot } from './project-root.js';

/** A NAB series with a known, visible failure: the default demo series. */
export const DEFAULT_NAB_SERIES = 'realKnownCause/machine_temperature_system_failure.csv';

/** NAB's data folder: $FAULTLINE_NAB_DIR, else `../shared/data/nab/data` next to the project. */
export function nabDataDir(env: Record<string, string | undefined> = process.env): string {
  return env.FAULTLINE_NAB_DIR ? resolve(env.FAULTLINE_NAB_DIR) : resolve(projectRoot(), '../shared/data/nab/data');
}

/** Absolute path of a NAB series (relative to the NAB data folder), or undefined when absent. */
export function findNabSeries(series: string = DEFAULT_NAB_SERIES): string | undefined {
  const file = isAbsolute(series) ? series : resolve(nabDataDir(), series);
  return existsSync(file) ? file : undefined;
}

export interface NabReplayOptions {
  source?: string;
  metric?: string;
  /** start over when the file ends, shifting timestamps so data time keeps moving forward */
  loop?: boolean;
}

/** The points of a NAB CSV as ticks of one point each, in data time (optionally looping forever). */
export async function* nabTicks(file: string, opts: NabReplayOptions = {}): AsyncGenerator<MetricPoint[]> {
  const source = opts.source ?? 'nab';
  const metric = opts.metric ?? 'machine_temperature';
  let offset = 0;
  for (;;) {
    let first: number | undefined;
    let last: number | undefined;
    let step = 0;
    for await (const row of readCsv(file, { source, metric })) {
      if (first === undefined) first = row.ts;
      else if (last !== undefined && step === 0) step = row.ts - last;
      last = row.ts;
      yield row.points.map((p) => ({ ...p, ts: p.ts + offset }));
    }
    if (!opts.loop || first === undefined || last === undefined) return;
    offset += last - first + (step || 60_000);
  }
}
