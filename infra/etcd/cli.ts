/**
 * A local 3-member etcd cluster for people: `tsx infra/etcd/cli.ts start [--data-dir DIR]` runs until
 * Ctrl-C / SIGTERM and prints the endpoints to use (ETCD_ENDPOINTS=...) for 2-3 heal engines with the
 * etcd coordinator backend. Members are stopped when this process ends.
 */
import { parseArgs } from 'node:util';
import { startEtcdCluster } from './cluster.js';
import { EtcdPrerequisiteError, EtcdStartError } from './errors.js';

const say = (m: string) => process.stderr.write(`[etcd] ${m}\n`);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'data-dir': { type: 'string' }, members: { type: 'string', default: '3' } },
});

if (positionals[0] !== 'start') {
  process.stderr.write('usage: tsx infra/etcd/cli.ts start [--data-dir DIR] [--members 3]\n');
  process.exit(2);
}
try {
  const cluster = await startEtcdCluster({
    members: Number(values.members),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    log: say,
  });
  process.stdout.write(`${cluster.endpoints.join(',')}\n`);
  say(`use it with: ETCD_ENDPOINTS=${cluster.endpoints.join(',')}   (Ctrl-C to stop)`);
  const keepAlive = setInterval(() => {}, 60_000);
  const shutdown = (why: string) => {
    clearInterval(keepAlive);
    say(`${why}: stopping the cluster`);
    cluster.stop().finally(() => say('stopped'));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (err) {
  if (err instanceof EtcdPrerequisiteError || err instanceof EtcdStartError) {
    say(err.message);
    process.exit(1);
  }
  throw err;
}
