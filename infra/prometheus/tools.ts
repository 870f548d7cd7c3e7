import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { PrometheusPrerequisiteError } from './errors.js';

/** Debian's binaries: `apt-get install prometheus prometheus-node-exporter`. */
export const BINARIES = {
  prometheus: { names: ['prometheus'], apt: 'prometheus' },
  nodeExporter: { names: ['prometheus-node-exporter', 'node_exporter'], apt: 'prometheus-node-exporter' },
} as const;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first of `names` found on PATH (or /usr/bin, /usr/sbin), else undefined. */
export function findOnPath(names: readonly string[], path = process.env['PATH'] ?? ''): string | undefined {
  const dirs = [...path.split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin'];
  for (const name of names) for (const dir of dirs) if (executable(join(dir, name))) return join(dir, name);
  return undefined;
}

/** The binary's path; throws PrometheusPrerequisiteError with the apt line to run. */
export function requireBinary(which: keyof typeof BINARIES): string {
  const b = BINARIES[which];
  const found = findOnPath(b.names);
  if (!found) {
    throw new PrometheusPrerequisiteError(
      `${b.names[0]} not found on PATH: install Debian's package with \`apt-get install -y ${b.apt}\` (.ci/run does)`,
    );
  }
  return found;
}

/** Whether both binaries are installed (tests skip with a reason when not). */
export function prometheusAvailable(): boolean {
  return findOnPath(BINARIES.prometheus.names) !== undefined && findOnPath(BINARIES.nodeExporter.names) !== undefined;
}
