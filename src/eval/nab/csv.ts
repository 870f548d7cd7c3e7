import { readFileSync } from 'node:fs';
import { NabDataError } from './errors.js';

/** A CSV file read column-wise (NAB files are plain: no quoting, one header line). */
export interface CsvTable {
  file: string;
  header: string[];
  rowCount: number;
  /** the raw text of a column by name; throws if the column is missing */
  column(name: string): string[];
  /** like column() but parsed as finite numbers */
  numbers(name: string): Float64Array;
}

/** Splits CSV text into a column-major table. Blank trailing lines are ignored. */
export function parseCsv(text: string, file: string): CsvTable {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new NabDataError('empty CSV (no header)', file);
  const header = (lines[0] as string).split(',').map((h) => h.trim());
  const width = header.length;
  const rowCount = lines.length - 1;
  const cols: string[][] = header.map(() => new Array<string>(rowCount));
  for (let r = 0; r < rowCount; r++) {
    const cells = (lines[r + 1] as string).split(',');
    if (cells.length !== width) {
      throw new NabDataError(`row has ${cells.length} cells, header has ${width}`, `${file}:${r + 2}`);
    }
    for (let c = 0; c < width; c++) (cols[c] as string[])[r] = cells[c] as string;
  }
  const column = (name: string): string[] => {
    const idx = header.indexOf(name);
    if (idx < 0) throw new NabDataError(`missing column "${name}" (have ${header.join(',')})`, file);
    return cols[idx] as string[];
  };
  return {
    file,
    header,
    rowCount,
    column,
    numbers(name) {
      const raw = column(name);
      const out = new Float64Array(raw.length);
      for (let i = 0; i < raw.length; i++) {
        const v = Number(raw[i]);
        if (!Number.isFinite(v) || (raw[i] as string).trim() === '') {
          throw new NabDataError(`column "${name}": not a number: ${JSON.stringify(raw[i])}`, `${file}:${i + 2}`);
        }
        out[i] = v;
      }
      return out;
    },
  };
}

export function readCsv(file: string): CsvTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new NabDataError(`cannot read: ${(err as Error).message}`, file);
  }
  return parseCsv(text, file);
}
