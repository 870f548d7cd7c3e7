import { spawnSync } from 'node:child_process';
import { findExecutable } from '../kafka/tools.js';
import { EtcdPrerequisiteError } from './errors.js';

const INSTALL_HINT = [
  'Install it:   apt-get install etcd-server etcd-client   (Debian/Ubuntu: etcd 3.4, v3 API)',
  'or point faultline at a running cluster:  ETCD_ENDPOINTS=http://host:2379[,http://host2:2379]',
].join('\n  ');

/** Major.minor from `etcd --version` output ("etcd Version: 3.4.23" -> [3, 4]). */
export function parseEtcdVersion(output: string): [number, number] | undefined {
  const m = /etcd Version:\s*(\d+)\.(\d+)/.exec(output);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Path of the `etcd` server binary (3.4+). Throws EtcdPrerequisiteError saying what to install. */
export function assertEtcd(path: string | undefined = process.env['PATH']): string {
  const etcd = findExecutable('etcd', path);
  if (!etcd) {
    throw new EtcdPrerequisiteError(
      `faultline needs the etcd server (etcd) to run a local coordination cluster, and cannot find it on PATH.\n  ${INSTALL_HINT}`,
      ['etcd'],
    );
  }
  const probe = spawnSync(etcd, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  const version = parseEtcdVersion(`${probe.stdout ?? ''}${probe.stderr ?? ''}`);
  if (version && (version[0] < 3 || (version[0] === 3 && version[1] < 4))) {
    throw new EtcdPrerequisiteError(
      `faultline needs etcd 3.4 or newer; ${etcd} is ${version.join('.')}.\n  ${INSTALL_HINT}`,
      ['etcd >= 3.4'],
    );
  }
  return etcd;
}
