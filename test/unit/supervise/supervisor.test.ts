import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ChildSpec, startSupervisor } from '../../../src/supervise/supervisor.js';
import { createLog } from '../../../src/transport/log.js';

/** a tiny node child */
const node = (name: string, code: string, extra: Partial<ChildSpec> = {}): ChildSpec => ({
  name,
  command: process.execPath,
  args: ['-e', code],
  ...extra,
});
const LONG =
  "process.stdout.write('up\\n'); setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));";

async function until(cond: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('supervisor (one-for-one, restart intensity)', () => {
  it("restarts only the child that crashed, and reports each child's health", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-sup-'));
    const marker = join(dir, 'crashed-once');
    const sup = startSupervisor({
      children: [
        node('steady', LONG, { readyPattern: /^up$/ }),
        // crashes on its first run only (it leaves a marker file behind)
        node(
          'flaky',
          `const fs = require('node:fs'); process.stdout.write('hello\\n'); if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(3); } ${LONG}`,
        ),
      ],
      intensity: { maxRestarts: 3, periodMs: 60_000 },
      restartDelayMs: 400,
    });
    try {
      await until(() => sup.status().children[1]?.restarts === 1 && sup.status().children[1]?.state === 'running');
      await until(() => sup.status().children[0]?.state === 'running');
      const st = sup.status();
      expect(st.state).toBe('running');
      expect(st.intensity).toEqual({ maxRestarts: 3, periodMs: 60_000, recentRestarts: 1 });
      const [steady, flaky] = st.children;
      expect(steady).toMatchObject({ name: 'steady', state: 'running', restarts: 0, lastExit: null });
      expect(steady?.pid).toBeGreaterThan(0);
      expect(steady?.readyAt).not.toBeNull();
      expect(flaky).toMatchObject({ name: 'flaky', restarts: 1, lastExit: { code: 3, description: 'exit code 3' } });
      expect(flaky?.lastOutput).toContain('hello');
    } finally {
      await sup.stop();
    }
    expect(await sup.done).toEqual({ state: 'stopped' });
    expect(sup.status().children.map((c) => c.state)).toEqual(['stopped', 'stopped']);
    expect(sup.status().children.map((c) => c.pid)).toEqual([null, null]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a child crashing faster than the limit makes the supervisor give up, stop the others and say why', async () => {
    const lines: string[] = [];
    const sup = startSupervisor({
      children: [
        node('steady', LONG),
        node('crasher', "console.error('config error: detectors[0].window: expected >= 8'); process.exit(2)"),
      ],
      intensity: { maxRestarts: 2, periodMs: 30_000 },
      restartDelayMs: 50,
      log: createLog({ level: 'error', write: (l) => lines.push(l) }),
    });
    const end = await sup.done;
    expect(end.state).toBe('failed');
    const reason = end.state === 'failed' ? end.reason : '';
    expect(reason).toMatch(
      /^child crasher exit code 2, and restarting it would be restart 3 within 30 s, over the limit of 2 restarts in 30 s/,
    );
    expect(reason).toMatch(/config error: detectors\[0\]\.window: expected >= 8/);
    // loudly: an error line with the reason
    expect(lines.some((l) => l.includes('ERROR') && l.includes('SUPERVISOR GAVE UP') && l.includes(reason))).toBe(true);
    const st = sup.status();
    expect(st).toMatchObject({ state: 'failed', reason });
    expect(st.children.map((c) => [c.name, c.state])).toEqual([
      ['steady', 'stopped'],
      ['crasher', 'failed'],
    ]);
    expect(st.children[1]?.restarts).toBe(2);
    await sup.stop(); // harmless after giving up
  });

  it('a command that cannot start counts as a crash', async () => {
    const sup = startSupervisor({
      children: [{ name: 'ghost', command: '/nonexistent/faultline-worker', args: [] }],
      intensity: { maxRestarts: 1, periodMs: 10_000 },
      restartDelayMs: 10,
    });
    const end = await sup.done;
    expect(end.state === 'failed' && end.reason).toMatch(/child ghost could not start: .*ENOENT/);
  });

  it('rejects two children with the same name', () => {
    expect(() => startSupervisor({ children: [node('a', ''), node('a', '')] })).toThrow(/used twice/);
  });
});

describe('supervisor restart types', () => {
  it('a transient child that exits normally is not restarted; a permanent one is', async () => {
    const sup = startSupervisor({
      children: [node('transient', 'process.exit(0)', { restart: 'transient' }), node('permanent', 'process.exit(0)')],
      intensity: { maxRestarts: 1000, periodMs: 60_000 },
      restartDelayMs: 50,
    });
    try {
      await until(
        () => sup.status().children[0]?.state === 'stopped' && (sup.status().children[1]?.restarts ?? 0) >= 2,
      );
      expect(sup.status().children[0]).toMatchObject({ restarts: 0, lastExit: { code: 0 } });
      expect(sup.status().state).toBe('running');
    } finally {
      await sup.stop();
    }
  });
});
