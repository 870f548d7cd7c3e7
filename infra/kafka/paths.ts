import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Kafka version run by the scripts. Keep in step with infra/kafka/pom.xml and docker-compose.yml. */
export const KAFKA_VERSION = '3.9.1';

/** The project root: the nearest folder above this file holding package.json (works from src and dist). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`faultline: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** Gitignored cache folder; `FAULTLINE_CACHE_DIR` overrides it. */
export function cacheRoot(): string {
  return process.env['FAULTLINE_CACHE_DIR'] || join(projectRoot(), '.cache');
}

/** Folder holding the complete jar set: `<cache>/kafka-<version>` (with `libs/` and a `COMPLETE` marker). */
export function kafkaHome(version = KAFKA_VERSION): string {
  return join(cacheRoot(), `kafka-${version}`);
}

export function kafkaLibs(version = KAFKA_VERSION): string {
  return join(kafkaHome(version), 'libs');
}

export function kafkaPom(): string {
  return join(projectRoot(), 'infra', 'kafka', 'pom.xml');
}

/** State file written by `npm run kafka:start`. */
export function cliStateFile(): string {
  return join(projectRoot(), '.faultline', 'kafka.json');
}
