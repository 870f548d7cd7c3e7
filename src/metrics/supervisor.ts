import type { ChildState, SupervisorStatus } from '../supervise/supervisor.js';
import type { Metrics, Sample } from './registry.js';

const CHILD_STATES: readonly ChildState[] = ['starting', 'running', 'restarting', 'stopping', 'stopped', 'failed'];
const SUPERVISOR_STATES: readonly SupervisorStatus['state'][] = ['running', 'stopping', 'stopped', 'failed'];

/**
 * The process supervisor of `faultline start --workers N` (src/supervise), read from its status() at
 * scrape time: its state and restart budget, and per child (label `child`: worker-1, heal-1 ...) up,
 * state, restarts, pid, uptime and the exit code of its last exit.
 */
export function instrumentSupervisor(metrics: Metrics, supervisor: () => { status(): SupervisorStatus } | undefined) {
  const read = (fn: (s: SupervisorStatus) => Sample[] | number) => () => {
    const s = supervisor()?.status();
    return s ? fn(s) : undefined;
  };
  const perChild = (fn: (c: SupervisorStatus['children'][number]) => number | null) =>
    read((s) =>
      s.children.flatMap((c) => {
        const v = fn(c);
        return v === null ? [] : [{ labels: { child: c.name }, value: v }];
      }),
    );

  metrics.gauge({
    name: 'faultline_supervisor_state',
    help: '1 for the supervisor state it is in (running, stopping, stopped, failed = gave up)',
    labelNames: ['state'],
    collect: read((s) => SUPERVISOR_STATES.map((st) => ({ labels: { state: st }, value: s.state === st ? 1 : 0 }))),
  });
  metrics.gauge({
    name: 'faultline_supervisor_recent_restarts',
    help: 'Restarts within the intensity period (the supervisor gives up beyond faultline_supervisor_max_restarts)',
    collect: read((s) => s.intensity.recentRestarts),
  });
  metrics.gauge({
    name: 'faultline_supervisor_max_restarts',
    help: 'Restart intensity limit: restarts allowed within faultline_supervisor_period_seconds',
    collect: read((s) => s.intensity.maxRestarts),
  });
  metrics.gauge({
    name: 'faultline_supervisor_period_seconds',
    help: 'Restart intensity period',
    collect: read((s) => s.intensity.periodMs / 1000),
  });
  metrics.gauge({
    name: 'faultline_supervised_child_up',
    help: '1 while the supervised child process is running (ready)',
    labelNames: ['child'],
    collect: perChild((c) => (c.state === 'running' ? 1 : 0)),
  });
  metrics.gauge({
    name: 'faultline_supervised_child_state',
    help: '1 for the state each supervised child is in',
    labelNames: ['child', 'state'],
    collect: read((s) =>
      s.children.flatMap((c) =>
        CHILD_STATES.map((st) => ({ labels: { child: c.name, state: st }, value: c.state === st ? 1 : 0 })),
      ),
    ),
  });
  metrics.counterFrom({
    name: 'faultline_supervised_child_restarts_total',
    help: 'Restarts of each supervised child',
    labelNames: ['child'],
    collect: perChild((c) => c.restarts),
  });
  metrics.gauge({
    name: 'faultline_supervised_child_pid',
    help: 'OS process id of each running supervised child',
    labelNames: ['child'],
    collect: perChild((c) => c.pid),
  });
  metrics.gauge({
    name: 'faultline_supervised_child_uptime_seconds',
    help: 'Seconds since the running child was (re)started',
    labelNames: ['child'],
    collect: perChild((c) => (c.uptimeMs === null ? null : c.uptimeMs / 1000)),
  });
  metrics.gauge({
    name: 'faultline_supervised_child_last_exit_code',
    help: 'Exit code of the child’s last exit (-1 when killed by a signal or it could not start)',
    labelNames: ['child'],
    collect: perChild((c) => (c.lastExit ? (c.lastExit.code ?? -1) : null)),
  });
}
