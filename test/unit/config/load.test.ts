import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadPipeline, parsePipeline } from '../../../src/config/load.js';
import { defaultDetectorConfig } from '../../../src/detect/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const noEnv = { env: {} };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadPipeline: good files', () => {
  it('loads pipelines/default.yaml with all five detector kinds and the alarm rules', () => {
    const p = loadPipeline(fileURLToPath(new URL('../../../pipelines/default.yaml', import.meta.url)), noEnv);
    expect(p.detectors.map((d) => d.kind).sort()).toEqual(['holt', 'range', 'robust', 'seasonal', 'zscore']);
    expect(p.alarms.length).toBeGreaterThan(0);
    for (const a of p.alarms) expect(a.window).toBeGreaterThan(0);
    expect(p.topics.metrics).toBe('faultline.metrics');
  });

  it("pipelines/default.yaml carries the detect module's tuned defaults", () => {
    const p = loadPipeline(fileURLToPath(new URL('../../../pipelines/default.yaml', import.meta.url)), noEnv);
    const tuned = defaultDetectorConfig();
    expect({ detectors: p.detectors, ensemble: p.ensemble, alarms: p.alarms }).toEqual(tuned);
  });

  it('fills defaults of a minimal file (durations in ms)', () => {
    const p = loadPipeline(fixture('minimal.yaml'), noEnv);
    expect(p.api.port).toBe(8080);
    expect(p.alarms[0]?.window).toBe(5 * 60_000);
    expect(p.detectors[0]).toMatchObject({ kind: 'zscore', halfLife: 200, warmup: 30 });
  });
});

describe('loadPipeline: bad files name the file, the path, the line and what was expected', () => {
  it('a negative number', () => {
    const e = configError(() => loadPipeline(fixture('bad-halflife.yaml'), noEnv));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ path: 'detectors[2].halfLife', line: 6 });
    expect(e.message).toContain('bad-halflife.yaml:6:');
    expect(e.message).toContain('detectors[2].halfLife');
    expect(e.message).toMatch(/>0.*got -3/);
    expect(e.retriable).toBe(false);
  });

  it('an unknown key, with a spelling suggestion', () => {
    const e = configError(() => loadPipeline(fixture('unknown-key.yaml'), noEnv));
    expect(e.issues[0]).toMatchObject({ path: 'detectors[0].halflife', line: 4 });
    expect(e.message).toContain('unknown key');
    expect(e.message).toContain('did you mean "halfLife"');
  });

  it('an unknown detector kind lists the kinds', () => {
    const e = configError(() => loadPipeline(fixture('bad-kind.yaml'), noEnv));
    expect(e.issues[0]).toMatchObject({ path: 'detectors[1].kind', line: 4 });
    expect(e.message).toContain('"seasonal"');
    expect(e.message).toContain('got "prophet"');
  });

  it('a missing required section', () => {
    const e = configError(() => loadPipeline(fixture('missing-alarms.yaml'), noEnv));
    expect(e.issues[0]?.path).toBe('alarms');
    expect(e.message).toMatch(/alarms: required/);
  });

  it('several problems at once, in line order', () => {
    const e = configError(() => loadPipeline(fixture('bad-duration.yaml'), noEnv));
    expect(e.issues.map((i) => [i.path, i.line])).toEqual([
      ['detectors[0].halfLife', 4],
      ['alarms[0].threshold', 7],
    ]);
    expect(e.message.split('\n')).toHaveLength(2);
    expect(e.message).toContain('expected a duration like "30s"');
  });

  it('a YAML syntax error has a line', () => {
    // (inline: a broken YAML file in the repo would break the repo-wide lint)
    const e = configError(() =>
      parsePipeline('name: broken\ndetectors:\n  - kind: zscore\n    warmup: [30\n', 's.yaml'),
    );
    expect(e.issues[0]?.line).toBeGreaterThan(0);
    expect(e.message).toMatch(/^s\.yaml:\d+:\d+: invalid YAML/);
    expect(e.message).toContain('invalid YAML');
  });

  it('an empty file and a missing file', () => {
    expect(configError(() => loadPipeline(fixture('empty.yaml'), noEnv)).message).toContain('empty');
    expect(configError(() => loadPipeline(fixture('nope.yaml'), noEnv)).message).toMatch(/nope\.yaml: .*not found/);
  });

  it('a document that is not a mapping', () => {
    expect(configError(() => parsePipeline('- a\n- b\n', 'x.yaml')).message).toContain('x.yaml:1:1: expected object');
  });
});

describe('environment overrides', () => {
  it('FAULTLINE_API_PORT / FAULTLINE_API_HOST / FAULTLINE_PARTITIONS override the file', () => {
    const p = loadPipeline(fixture('minimal.yaml'), {
      env: { FAULTLINE_API_PORT: '0', FAULTLINE_API_HOST: '0.0.0.0', FAULTLINE_PARTITIONS: '3' },
    });
    expect(p.api).toMatchObject({ port: 0, host: '0.0.0.0' });
    expect(p.topics.partitions).toBe(3);
  });

  it('a bad override names the variable', () => {
    const e = configError(() => loadPipeline(fixture('minimal.yaml'), { env: { FAULTLINE_API_PORT: 'http' } }));
    expect(e.message).toBe('environment: FAULTLINE_API_PORT: expected an integer from 0 to 65535, got "http"');
  });
});

describe('rules beyond the schema', () => {
  it('duplicate detector names are reported with their line', () => {
    const e = configError(() => loadPipeline(fixture('duplicate-names.yaml'), noEnv));
    expect(e.issues[0]).toMatchObject({ path: 'detectors[2]', line: 5 });
    expect(e.message).toContain('used twice');
  });
});
