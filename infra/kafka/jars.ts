import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { KafkaFetchError } from './errors.js';
import { withFileLock } from './lock.js';
import { KAFKA_VERSION, kafkaHome, kafkaLibs, kafkaPom } from './paths.js';
import { assertTools } from './tools.js';

const MARKER = 'COMPLETE';

/** True when the jar cache for `version` is complete (written last, after an atomic rename). */
export function jarsCached(version = KAFKA_VERSION): boolean {
  return existsSync(join(kafkaHome(version), MARKER));
}

/** Keeps the last `max` lines of a stream of text. */
function tailKeeper(max: number) {
  const lines: string[] = [];
  let partial = '';
  return {
    push(chunk: string, onLine?: (line: string) => void) {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > max) lines.shift();
        onLine?.(line);
      }
    },
    text: () => [...lines, partial].filter(Boolean).join('\n'),
  };
}

// Batch-mode Maven prints "Downloaded from central: <url> (<size> at <speed>)" per artifact.
const DOWNLOADED = /^Downloaded from [^:]+: (\S+\.jar) \(([^)]*?)(?: at [^)]*)?\)/;

function runMaven(mvn: string, pom: string, outDir: string, log: (m: string) => void): Promise<void> {
  const args = [
    '-B',
    '-f',
    pom,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${outDir}`,
  ];
  return new Promise((resolve, reject) => {
    const tail = tailKeeper(40);
    let jars = 0;
    const child = spawn(mvn, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MAVEN_OPTS: `-Xmx256m ${process.env['MAVEN_OPTS'] ?? ''}`.trim() },
    });
    const onLine = (line: string) => {
      const m = DOWNLOADED.exec(line.replace(/^\[INFO\] /, ''));
      if (m) {
        jars++;
        log(`downloaded ${basename(m[1]!)} (${m[2]}) [${jars} jars so far]`);
      }
    };
    child.stdout.setEncoding('utf8').on('data', (c: string) => tail.push(c, onLine));
    child.stderr.setEncoding('utf8').on('data', (c: string) => tail.push(c));
    child.on('error', (err) => reject(new KafkaFetchError(`could not run Maven (${mvn}): ${err.message}`, '')));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new KafkaFetchError(
            `Maven could not fetch the Kafka ${KAFKA_VERSION} jars (exit ${code ?? signal}); check access to Maven Central and retry`,
            tail.text(),
          ),
        );
    });
  });
}

/**
 * Makes sure the Kafka jars are in `.cache/kafka-<version>/libs` and returns that folder.
 * First run: Maven copies the runtime dependencies of infra/kafka/pom.xml into a private temp folder,
 * which is renamed into place atomically, under a cross-process lock so concurrent first runs fetch once.
 */
export async function ensureKafkaJars(opts: { log?: (m: string) => void } = {}): Promise<string> {
  const log = opts.log ?? (() => {});
  const home = kafkaHome();
  if (jarsCached()) return kafkaLibs();
  const { mvn } = assertTools({ needMaven: true });
  const parent = dirname(home);
  mkdirSync(parent, { recursive: true });
  return withFileLock(
    `${home}.lock`,
    async () => {
      if (jarsCached()) return kafkaLibs();
      const started = Date.now();
      log(`fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central (once; about 46 MB) into ${home}`);
      const tmp = join(parent, `.kafka-${KAFKA_VERSION}.tmp-${process.pid}-${Date.now()}`);
      rmSync(tmp, { recursive: true, force: true });
      try {
        await runMaven(mvn!, kafkaPom(), join(tmp, 'libs'), log);
        const jars = readdirSync(join(tmp, 'libs')).filter((f) => f.endsWith('.jar'));
        if (!jars.some((f) => f.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
          throw new KafkaFetchError(`Maven finished but kafka_2.13-${KAFKA_VERSION}.jar is missing in ${tmp}`, '');
        }
        writeFileSync(join(tmp, MARKER), `${JSON.stringify({ version: KAFKA_VERSION, jars: jars.length })}\n`);
        if (existsSync(home)) {
          // An incomplete leftover (no marker): move it aside, never mix jar sets.
          const aside = `${home}.stale-${process.pid}-${Date.now()}`;
          renameSync(home, aside);
          rmSync(aside, { recursive: true, force: true });
        }
        renameSync(tmp, home);
        log(`fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
      return kafkaLibs();
    },
    { onWait: (owner) => log(`another process (pid ${owner}) is fetching the Kafka jars; waiting for it`) },
  );
}
