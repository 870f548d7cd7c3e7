import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where `.ci/run` installs Schemathesis (a pinned version from PyPI, in a venv of its own). */
export const SCHEMATHESIS_VENV = join(process.cwd(), '.cache', 'schemathesis-venv');
export const SCHEMATHESIS_BIN = join(SCHEMATHESIS_VENV, 'bin', 'schemathesis');

export function schemathesisInstalled(): boolean {
  return existsSync(SCHEMATHESIS_BIN);
}

export interface FuzzRun {
  code: number | null;
  output: string;
  /** "N passed, N failed" style counts Schemathesis prints at the end */
  summary: string;
  /** test cases generated, from the summary ("Test cases: N generated, ...") */
  generated: number;
}

export interface FuzzOptions {
  schemaUrl: string;
  headers: Record<string, string>;
  checks: string[];
  maxExamples: number;
  excludePaths: string[];
  seed: number;
  reportDir: string;
  timeoutMs: number;
}

/** Runs `schemathesis run` against a live server; resolves with its exit code and output (never throws on findings). */
export function runSchemathesis(o: FuzzOptions): Promise<FuzzRun> {
  const args = [
    'run',
    o.schemaUrl,
    '--checks',
    o.checks.join(','),
    '--max-examples',
    String(o.maxExamples),
    '--seed',
    String(o.seed),
    '--workers',
    '1',
    '--phases',
    'examples,coverage,fuzzing',
    '--request-timeout',
    '15',
    '--generation-database',
    'none',
    '--generation-with-security-parameters',
    'false',
    '--no-shrink',
    '--no-color',
    '--report',
    'junit',
    '--report-dir',
    o.reportDir,
    ...Object.entries(o.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    ...o.excludePaths.flatMap((p) => ['--exclude-path', p]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(SCHEMATHESIS_BIN, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Schemathesis keeps a crash cache in ./.schemathesis: keep it out of the checkout
      cwd: o.reportDir,
      env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false', NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
    });
    let output = '';
    const keep = (c: Buffer) => {
      output += c.toString('utf8');
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), o.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const generated = Number(/Test cases:\s*(\d+) generated/.exec(output)?.[1] ?? Number.NaN);
      const summary = output.trim().split('\n').slice(-3).join('\n');
      resolve({ code, output, summary, generated });
    });
  });
}
