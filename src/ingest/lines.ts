import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { IngestError } from './errors.js';

export interface Line {
  /** 1-based line number */
  no: number;
  text: string;
  /** bytes read up to and including this line (approximate with CRLF), for progress */
  bytes: number;
}

/** Size of a file in bytes, or an IngestError naming it. */
export async function fileSize(file: string): Promise<number> {
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new IngestError(file, undefined, undefined, 'not a regular file');
    return s.size;
  } catch (err) {
    if (err instanceof IngestError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new IngestError(file, undefined, undefined, code === 'ENOENT' ? 'file not found' : String(err));
  }
}

/** Stream a text file line by line (constant memory, any size). Strips a UTF-8 BOM and CRs. */
export async function* readLines(file: string): AsyncGenerator<Line> {
  await fileSize(file);
  const input = createReadStream(file, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let no = 0;
  let bytes = 0;
  try {
    for await (const raw of rl) {
      no++;
      bytes += Buffer.byteLength(raw, 'utf8') + 1;
      let text = raw;
      if (no === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      yield { no, text, bytes };
    }
  } finally {
    rl.close();
    input.destroy();
  }
}
