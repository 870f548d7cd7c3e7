import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../../src/cli/program.js';
import { loadPipeline } from '../../../src/config/load.js';

/**
 * docker-compose.yml cannot run here (no Docker engine), so its structure is checked: the services
 * the guide promises, faultline commands and options that exist, files that exist, and a pipeline and
 * Prometheus configuration that agree with the services.
 */
const ROOT = process.cwd();
const read = (rel: string) => parse(readFileSync(join(ROOT, rel), 'utf8'), { merge: true });

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  depends_on?: Record<string, unknown>;
}
const compose = read('docker-compose.yml') as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;
const faultline = Object.entries(services).filter(([, s]) => s.build !== undefined);

describe('docker-compose.yml', () => {
  it('has Kafka, three etcd members, two detect workers, two heal engines, the API, Prometheus and node-exporter', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'etcd1',
        'etcd2',
        'etcd3',
        'heal-1',
        'heal-2',
        'kafka',
        'node-exporter',
        'prometheus',
        'worker-1',
        'worker-2',
      ].sort(),
    );
    const cmd = (name: string) => services[name]?.command?.[2];
    expect(['worker-1', 'worker-2'].map(cmd)).toEqual(['worker', 'worker']);
    expect(['heal-1', 'heal-2'].map(cmd)).toEqual(['heal', 'heal']);
    expect(cmd('api')).toBe('start');
    expect(services.kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
  });

  it('runs only faultline commands and options that exist', () => {
    const program = buildProgram();
    expect(faultline.length).toBe(5);
    for (const [name, s] of faultline) {
      const [node, main, command, ...args] = s.command ?? [];
      expect(`${name}: ${node} ${main}`).toBe(`${name}: node dist/src/cli/main.js`);
      // the built entry point comes from src/cli/main.ts (npm run build in the Dockerfile)
      expect(existsSync(join(ROOT, 'src/cli/main.ts'))).toBe(true);
      const sub = program.commands.find((c) => c.name() === command);
      expect(sub, `${name}: no faultline command "${command}"`).toBeDefined();
      const known = new Set(sub?.options.flatMap((o) => [o.long, o.short].filter(Boolean)) ?? []);
      for (const a of args.filter((x) => x.startsWith('-'))) {
        expect(known.has(a), `${name}: faultline ${command} has no option ${a}`).toBe(true);
      }
    }
  });

  it('references only files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const src = v.split(':')[0] as string;
        if (src.startsWith('./')) expect(existsSync(resolve(ROOT, src)), `${name}: ${src}`).toBe(true);
      }
      for (const secret of s.secrets ?? []) expect(compose.secrets[secret], `${name}: secret ${secret}`).toBeDefined();
    }
    for (const [name, sec] of Object.entries(compose.secrets)) {
      expect(existsSync(resolve(ROOT, sec.file)), `secret ${name}: ${sec.file}`).toBe(true);
    }
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('points faultline at the compose Kafka and its pipeline', () => {
    for (const [name, s] of faultline) {
      expect(s.environment?.KAFKA_BROKERS, name).toBe('kafka:9092');
      expect(s.volumes, name).toContain('./infra/compose/pipeline.yaml:/etc/faultline/pipeline.yaml:ro');
      expect(s.command, name).toContain('/etc/faultline/pipeline.yaml');
    }
  });
});

describe('infra/compose/pipeline.yaml', () => {
  const pipeline = loadPipeline(join(ROOT, 'infra/compose/pipeline.yaml'));

  it('is a valid pipeline whose heal engines elect a leader on the three etcd members', () => {
    expect(pipeline.heal).toBeDefined();
    const c = pipeline.coordinator;
    expect(c?.backend).toBe('etcd');
    const hosts = c?.backend === 'etcd' ? c.endpoints.map((e) => new URL(e).hostname).sort() : [];
    expect(hosts).toEqual(['etcd1', 'etcd2', 'etcd3']);
    for (const h of hosts) expect(services[h]).toBeDefined();
    expect(pipeline.topics.partitions).toBeGreaterThan(2);
  });

  it('configures the hash of each demo key in infra/compose/secrets with the scopes its user needs', () => {
    const keys = new Map(pipeline.api.keys.map((k) => [k.name, k]));
    const want: Record<string, string[]> = {
      prometheus: ['ingest', 'read'],
      operator: ['read', 'operate'],
      admin: ['admin'],
    };
    for (const [name, scopes] of Object.entries(want)) {
      const plain = readFileSync(join(ROOT, 'infra/compose/secrets', `${name}.key`), 'utf8').trim();
      const hash = createHash('sha256').update(plain).digest('hex');
      expect(keys.get(name)?.hash, name).toBe(hash);
      expect(keys.get(name)?.scopes, name).toEqual(scopes);
    }
  });
});

describe('infra/compose/prometheus.yml', () => {
  const prom = read('infra/compose/prometheus.yml') as {
    scrape_configs: Array<{
      job_name: string;
      authorization?: { credentials_file: string };
      static_configs: Array<{ targets: string[] }>;
    }>;
    remote_write: Array<{ url: string; authorization: { credentials_file: string } }>;
  };
  const secretPath = '/run/secrets/prometheus_key';

  it('scrapes node-exporter and the API, and remote-writes into the API with the key file', () => {
    const targets = prom.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets));
    expect(targets.sort()).toEqual(['api:8080', 'node-exporter:9100']);
    for (const t of targets) expect(services[t.split(':')[0] as string]).toBeDefined();
    const rw = prom.remote_write[0];
    expect(rw && new URL(rw.url).pathname).toBe('/api/v1/write');
    expect(rw && new URL(rw.url).host).toBe('api:8080');
    expect(rw?.authorization.credentials_file).toBe(secretPath);
    expect(prom.scrape_configs.find((s) => s.job_name === 'faultline')?.authorization?.credentials_file).toBe(
      secretPath,
    );
    expect(services.prometheus?.secrets).toContain('prometheus_key');
  });
});
