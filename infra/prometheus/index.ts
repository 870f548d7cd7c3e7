export { type Daemon, type DaemonOptions, startDaemon } from './daemon.js';
export { DaemonStartError, PrometheusPrerequisiteError } from './errors.js';
export { type NodeExporter, type NodeExporterOptions, startNodeExporter } from './node-exporter.js';
export { type PrometheusOptions, type PrometheusServer, prometheusConfig, startPrometheus } from './server.js';
export { BINARIES, findOnPath, prometheusAvailable, requireBinary } from './tools.js';
