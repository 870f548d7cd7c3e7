import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file is bench/nab/paths.ts). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `$NAB_DIR`, else `../shared/data/nab` beside the project root. */
export function defaultNabDir(): string {
  return process.env['NAB_DIR'] ? resolve(process.env['NAB_DIR']) : resolve(PROJECT_ROOT, '../shared/data/nab');
}
