/** One problem found in a configuration file. */
export interface ConfigIssue {
  /** path inside the file, e.g. `detectors[2].halfLife` ('' = the whole document) */
  path: string;
  /** 1-based line/column of the offending node, when it could be mapped */
  line?: number;
  col?: number;
  /** what was expected (and what was found) */
  message: string;
}

/**
 * A configuration file (or an environment override) is invalid. Fixing the file is the only
 * remedy, so a retry can never help. The message has one self-contained line per issue:
 * `pipelines/x.yaml:12:7: detectors[2].halfLife: expected a number > 0, got -3`.
 */
export class ConfigError extends Error {
  readonly retriable = false;
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
  }
}

export function formatIssue(file: string, i: ConfigIssue): string {
  const where = i.line === undefined ? file : `${file}:${i.line}${i.col === undefined ? '' : `:${i.col}`}`;
  return i.path ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`;
}

/** `['detectors', 2, 'halfLife']` → `detectors[2].halfLife` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}
