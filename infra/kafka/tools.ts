import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KafkaPrerequisiteError } from './errors.js';

export interface ToolPaths {
  java: string;
  mvn?: string;
}

export interface ToolEnv {
  PATH?: string | undefined;
  JAVA_HOME?: string | undefined;
}

const INSTALL_HINT = [
  'Install them:   apt-get install openjdk-17-jre-headless maven',
  'or use Docker:  docker compose up',
  'or point faultline at a running Kafka:  KAFKA_BROKERS=host:9092',
].join('\n  ');

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Look an executable up on a PATH string, like the shell does. */
export function findExecutable(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}

/** Java: `$JAVA_HOME/bin/java` when it exists (as Kafka's own scripts do), else `java` on PATH. */
export function findJava(env: ToolEnv): string | undefined {
  if (env.JAVA_HOME) {
    const fromHome = join(env.JAVA_HOME, 'bin', 'java');
    if (isExecutableFile(fromHome)) return fromHome;
  }
  return findExecutable('java', env.PATH);
}

/** Major version from `java -version` output ("17.0.15" -> 17, "1.8.0_392" -> 8). */
export function parseJavaMajor(versionOutput: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

/**
 * Checks that Java (11+, 17 recommended) and, when the jars still have to be fetched, Maven are installed.
 * Throws KafkaPrerequisiteError with what to install instead of a stack trace from spawn().
 */
export function assertTools(opts: { needMaven: boolean; env?: ToolEnv }): ToolPaths {
  const env = opts.env ?? { PATH: process.env['PATH'], JAVA_HOME: process.env['JAVA_HOME'] };
  const java = findJava(env);
  const mvn = opts.needMaven ? findExecutable('mvn', env.PATH) : undefined;
  const missing: string[] = [];
  if (!java) missing.push('Java 17 (java)');
  if (opts.needMaven && !mvn) missing.push('Maven (mvn, to fetch the Kafka jars once)');
  if (missing.length > 0) {
    throw new KafkaPrerequisiteError(
      `faultline needs ${missing.join(' and ')} to run a local Kafka broker, and cannot find it on PATH.\n  ${INSTALL_HINT}`,
      missing,
    );
  }
  const probe = spawnSync(java!, ['-version'], { encoding: 'utf8', timeout: 30_000 });
  const major = parseJavaMajor(`${probe.stderr ?? ''}${probe.stdout ?? ''}`);
  if (major !== undefined && major < 11) {
    throw new KafkaPrerequisiteError(
      `Kafka 3.9 needs Java 11 or newer (17 recommended); ${java} is Java ${major}.\n  ${INSTALL_HINT}`,
      ['Java 17'],
    );
  }
  return mvn ? { java: java!, mvn } : { java: java! };
}
