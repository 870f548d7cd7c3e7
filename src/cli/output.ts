import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';

/** A line sink with back-pressure: stdout or a file. */
export interface LineWriter {
  write(line: string): Promise<void>;
  close(): Promise<void>;
}

export function createLineWriter(out?: string): LineWriter {
  const stream: Writable = out ? createWriteStream(out, { encoding: 'utf8' }) : process.stdout;
  let failed: Error | undefined;
  stream.on('error', (err) => {
    failed = err;
  });
  return {
    async write(line) {
      if (failed) throw failed;
      if (!stream.write(`${line}\n`)) await new Promise<void>((r) => stream.once('drain', () => r()));
    },
    async close() {
      if (failed) throw failed;
      if (!out) return;
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(() => resolve());
      });
    },
  };
}

/** Informational messages of commands whose stdout carries data go to stderr. */
export const info = (msg: string) => process.stderr.write(`${msg}\n`);
