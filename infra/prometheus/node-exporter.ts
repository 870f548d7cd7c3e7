import { join } from 'node:path';
import { freePorts } from '../kafka/ports.js';
import { type Daemon, startDaemon } from './daemon.js';
import { requireBinary } from './tools.js';

export interface NodeExporterOptions {
  /** where its log goes */
  dir: string;
  host?: string;
  /** default: a free port */
  port?: number;
  /**
   * only these collectors (e.g. ['cpu', 'meminfo']); default: node-exporter's default set. Fewer
   * collectors keep a test's scrapes cheap on a small machine.
   */
  collectors?: string[];
}

export interface NodeExporter extends Daemon {
  /** host:port, the target for a Prometheus scrape config */
  address: string;
  /** http://host:port/metrics */
  url: string;
}

/** Starts Debian's prometheus-node-exporter on loopback (no systemd needed). */
export async function startNodeExporter(opts: NodeExporterOptions): Promise<NodeExporter> {
  const bin = requireBinary('nodeExporter');
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? ((await freePorts(1, host))[0] as number);
  const address = `${host}:${port}`;
  const args = [`--web.listen-address=${address}`];
  if (opts.collectors) {
    args.push('--collector.disable-defaults', ...opts.collectors.map((c) => `--collector.${c}`));
  }
  const url = `http://${address}/metrics`;
  const daemon = await startDaemon({
    name: 'node-exporter',
    bin,
    args,
    logFile: join(opts.dir, 'node-exporter.log'),
    readyUrl: url,
  });
  return { ...daemon, address, url };
}
