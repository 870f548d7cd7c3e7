export { defaultSource, readCsv } from './csv.js';
export { IngestError } from './errors.js';
export { readJsonl } from './jsonl.js';
export { fileSize } from './lines.js';
export { type FileFormat, fileFormat, readPointFile } from './read.js';
export type { PointRow, ReadOptions } from './rows.js';
export { parseTimestamp } from './timestamp.js';
