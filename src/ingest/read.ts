import { extname } from 'node:path';
import { readCsv } from './csv.js';
import { IngestError } from './errors.js';
import { readJsonl } from './jsonl.js';
import type { PointRow, ReadOptions } from './rows.js';

export type FileFormat = 'csv' | 'jsonl';

/** The format of a metrics file by its extension (.csv; .jsonl/.ndjson/.json). */
export function fileFormat(file: string): FileFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  throw new IngestError(file, undefined, undefined, `unknown file type "${ext || '(none)'}": expected .csv or .jsonl`);
}

/** Stream the rows of a CSV or JSONL metrics file (see readCsv / readJsonl). */
export function readPointFile(file: string, opts: ReadOptions = {}): AsyncGenerator<PointRow> {
  const format = fileFormat(file);
  if (format === 'jsonl' && (opts.source !== undefined || opts.metric !== undefined)) {
    throw new IngestError(
      file,
      undefined,
      undefined,
      '--source and --metric apply to CSV files; JSONL points carry their own',
    );
  }
  return format === 'csv' ? readCsv(file, opts) : readJsonl(file);
}
