import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Executes every notebook in notebooks/ with Jupyter (nbclient's `jupyter execute`, from the venv
 * `.ci/run` makes) on the tslab TypeScript kernel (notebooks/node_modules), so the notebooks never rot.
 * The kernel spec is written to a temporary JUPYTER_PATH: nothing is installed into the user's Jupyter.
 * Skipped only when the venv is absent on a developer machine; CI always has it.
 */
const ROOT = process.cwd();
const VENV = join(ROOT, '.cache', 'jupyter-venv');
const JUPYTER = join(VENV, 'bin', 'jupyter');
const TSLAB = join(ROOT, 'notebooks', 'node_modules', '.bin', 'tslab');
const NOTEBOOKS = join(ROOT, 'notebooks');
const installed = existsSync(JUPYTER) && existsSync(TSLAB);
if (!installed) {
  const want = `${VENV} and ${TSLAB} (bash .ci/run makes both; see notebooks/README.md)`;
  if (process.env['CI']) throw new Error(`Jupyter or the tslab kernel is missing in CI: expected ${want}`);
  process.stderr.write(`[notebooks] skipping: expected ${want}\n`);
}

interface Cell {
  cell_type: string;
  outputs?: { output_type: string; ename?: string; evalue?: string; data?: Record<string, unknown> }[];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, out: `${stdout}${stderr}` });
    });
  });
}

describe.skipIf(!installed)('notebooks execute on the TypeScript kernel', () => {
  let jupyterPath: string;
  beforeAll(() => {
    jupyterPath = mkdtempSync(join(tmpdir(), 'faultline-jupyter-'));
    const spec = join(jupyterPath, 'kernels', 'tslab');
    mkdirSync(spec, { recursive: true });
    writeFileSync(
      join(spec, 'kernel.json'),
      JSON.stringify({
        argv: [TSLAB, 'kernel', '--config-path', '{connection_file}'],
        display_name: 'TypeScript',
        language: 'typescript',
      }),
    );
  });
  afterAll(() => {
    if (jupyterPath) rmSync(jupyterPath, { recursive: true, force: true });
  });

  const notebooks = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb'));
  it('finds the notebooks', () => {
    expect(notebooks).toContain('train-predictor.ipynb');
  });

  for (const nb of notebooks) {
    it(`${nb}: every cell runs without error and the plots are drawn`, { timeout: 320_000 }, async () => {
      const output = resolve(jupyterPath, `executed-${nb}`);
      const env = { ...process.env, JUPYTER_PATH: jupyterPath, JUPYTER_PLATFORM_DIRS: '1' };
      const { code, out } = await run(
        JUPYTER,
        ['execute', '--kernel_name=tslab', '--timeout=240', `--output=${output}`, nb],
        env,
        NOTEBOOKS,
      );
      expect(code, out.slice(-4000)).toBe(0);
      const executed = JSON.parse(readFileSync(output, 'utf8')) as { cells: Cell[] };
      const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
      const errors = outputs.filter((o) => o.output_type === 'error').map((o) => `${o.ename}: ${o.evalue}`);
      expect(errors).toEqual([]);
      // the plots: SVG charts displayed as HTML (notebooks/plot.ts)
      const svgs = outputs.filter((o) =>
        String(o.data?.['text/html'] ?? o.data?.['image/svg+xml'] ?? '').includes('<svg'),
      );
      expect(svgs.length).toBeGreaterThan(0);
    });
  }
});
