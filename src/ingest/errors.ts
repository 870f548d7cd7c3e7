/**
 * A metrics file has a bad line (or cannot be read). Fixing the file is the only remedy, so a
 * retry can never help. The message names the file, the line and the field:
 * `data.csv:12: cpu: expected a number, got "abc"`.
 */
export class IngestError extends Error {
  readonly retriable = false;
  override readonly name = 'IngestError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    const where = line === undefined ? file : `${file}:${line}`;
    super(field ? `${where}: ${field}: ${reason}` : `${where}: ${reason}`);
  }
}
