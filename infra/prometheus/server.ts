import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePorts } from '../kafka/ports.js';
import { type Daemon, startDaemon } from './daemon.js';
import { requireBinary } from './tools.js';

export interface PrometheusOptions {
  /** its config, TSDB and log go here */
  dir: string;
  host?: string;
  port?: number;
  /** `job_name` → host:port targets */
  scrape: Record<string, string[]>;
  /** e.g. '1s' (scrape_timeout follows it) */
  scrapeInterval?: string;
  remoteWrite?: {
    url: string;
    /** sent as `Authorization: Bearer <key>` */
    bearer?: string;
    /** queue_config.batch_send_deadline, default '1s' (Prometheus: 5s) */
    batchSendDeadline?: string;
  };
}

export interface PrometheusServer extends Daemon {
  /** http://host:port */
  url: string;
  configFile: string;
}

/** The prometheus.yml for `opts` (exported for tests and docs). */
export function prometheusConfig(opts: PrometheusOptions): Record<string, unknown> {
  const interval = opts.scrapeInterval ?? '1s';
  const cfg: Record<string, unknown> = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
    scrape_configs: Object.entries(opts.scrape).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  if (opts.remoteWrite) {
    const rw: Record<string, unknown> = {
      url: opts.remoteWrite.url,
      queue_config: {
        batch_send_deadline: opts.remoteWrite.batchSendDeadline ?? '1s',
        min_backoff: '100ms',
        max_backoff: '2s',
      },
    };
    if (opts.remoteWrite.bearer) rw['authorization'] = { type: 'Bearer', credentials: opts.remoteWrite.bearer };
    cfg['remote_write'] = [rw];
  }
  return cfg;
}

/** Starts Debian's prometheus with a generated config and a fresh TSDB under `dir`. */
export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  const bin = requireBinary('prometheus');
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? ((await freePorts(1, host))[0] as number);
  mkdirSync(join(opts.dir, 'tsdb'), { recursive: true });
  const configFile = join(opts.dir, 'prometheus.yml');
  writeFileSync(configFile, stringify(prometheusConfig(opts)));
  const url = `http://${host}:${port}`;
  const daemon = await startDaemon({
    name: 'prometheus',
    bin,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(opts.dir, 'tsdb')}`,
      `--web.listen-address=${host}:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=info',
    ],
    logFile: join(opts.dir, 'prometheus.log'),
    readyUrl: `${url}/-/ready`,
    readyTimeoutMs: 60_000,
  });
  return { ...daemon, url, configFile };
}
