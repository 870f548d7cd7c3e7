/**
 * One heal-engine candidate as its own process, for failover tests, the benchmark and manual runs:
 *
 *   node --import tsx src/coord/candidate-main.ts --endpoints http://127.0.0.1:2379,... --id engine-1 [--ttl 5]
 *     [--namespace faultline] [--election heal] [--promote GROUP]
 *
 * Prints one JSON object per line on stdout: {"event":"ready"}, then {"event":"leadership",...} on every
 * change; with --promote, the new leader records itself as primary of GROUP ({"event":"promoted"} or
 * {"event":"promote-failed"}). SIGTERM/SIGINT resign and exit 0; SIGKILL is the crash under test (run it with `node --import tsx`, not the `tsx`
 * wrapper, whose child would survive a SIGKILL of the wrapper).
 */
import { parseArgs } from 'node:util';
import { createCoordinator } from './index.js';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string' },
    id: { type: 'string' },
    ttl: { type: 'string', default: '5' },
    namespace: { type: 'string', default: 'faultline' },
    election: { type: 'string', default: 'heal' },
    promote: { type: 'string' },
  },
});

const out = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ...o, pid: process.pid })}\n`);

const coord = createCoordinator({
  backend: 'etcd',
  endpoints: (values.endpoints ?? '').split(',').filter(Boolean),
  ...(values.id ? { id: values.id } : {}),
  ttlSeconds: Number(values.ttl),
  namespace: values.namespace,
  election: values.election,
});

coord.onLeadershipChange((e) => {
  out({ event: 'leadership', id: coord.id, ...e });
  const group = values.promote;
  if (e.leader && e.token !== undefined && group) {
    coord.promote(group, coord.id, e.token).then(
      (entry) => out({ event: 'promoted', id: coord.id, entry }),
      (err: Error) => out({ event: 'promote-failed', id: coord.id, error: err.name, message: err.message }),
    );
  }
});

// The coordinator's timers do not hold the process open (a library should not); this one does, and
// ends the process when its parent is gone (a crashed test run must not leave candidates behind).
const parent = process.ppid;
const alive = setInterval(() => {
  if (process.ppid !== parent) shutdown();
}, 1000);

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  clearInterval(alive);
  coord.close().finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

await coord.campaign();
out({ event: 'ready', id: coord.id });
