import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file is test/unit/eval/nab-dir.ts). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The NAB data copy: `$NAB_DIR`, else `../shared/data/nab` beside the project (CI clones the
 * project with `shared/` next to it). Throws — the golden tests must fail, not skip, without it.
 */
export function nabDir(): string {
  const dir = process.env['NAB_DIR'] ? resolve(process.env['NAB_DIR']) : resolve(PROJECT_ROOT, '../shared/data/nab');
  for (const need of ['data', 'labels/combined_windows.json', 'config/thresholds.json', 'results/final_results.json']) {
    if (!existsSync(join(dir, need))) {
      throw new Error(
        `NAB data not found: ${join(dir, need)} is missing. Put the NAB copy at ../shared/data/nab ` +
          `(beside the project root ${PROJECT_ROOT}) or set NAB_DIR to it.`,
      );
    }
  }
  return dir;
}
