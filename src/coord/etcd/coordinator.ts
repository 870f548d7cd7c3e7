import { setTimeout as sleep } from 'node:timers/promises';
import { CoordClosedError, CoordUnavailableError, NotLeaderError, StaleTokenError } from '../errors.js';
import { LeadershipNotifier } from '../leadership.js';
import { assertName } from '../names.js';
import { parseToken } from '../token.js';
import type { Coordinator, CoordinatorStatus, LeadershipEvent, PromoteOptions, RegistryEntry } from '../types.js';
import { EtcdCalls } from './client.js';
import { type CandidateKey, DeleteWatch, electionLeader, predecessor, putCandidateKey } from './election.js';
import { revokeLease } from './lease.js';
import { promoteInEtcd, readEntry } from './registry.js';
import { SafeModeMonitor } from './safe-mode.js';
import type { EtcdAuthConfig, EtcdTlsConfig } from './security.js';
import { Session } from './session.js';

/** Settings of the etcd backend (validated and defaulted from CoordinatorConfig in ../config.ts by createCoordinator). */
export interface EtcdCoordinatorSettings {
  endpoints: string[];
  id: string;
  /** Key prefix of everything this coordinator writes (e.g. 'faultline'). */
  namespace: string;
  /** Election name: engines with the same namespace and election compete for one leadership. */
  election: string;
  ttlSeconds: number;
  keepAliveIntervalMs: number;
  demoteMarginMs: number;
  callTimeoutMs: number;
  callAttempts: number;
  safeModeAfterMs: number;
  probeIntervalMs: number;
  /** While waiting in the queue, re-read the predecessor this often even if its delete watch is silent. */
  recheckMs: number;
  log: (m: string) => void;
  /** TLS and user auth (etcd/security.ts) */
  tls?: EtcdTlsConfig | undefined;
  auth?: EtcdAuthConfig | undefined;
}

type Stop = { stopped: boolean; wake: () => void; woken: Promise<void> };

function stopSignal(): Stop {
  let wake = () => {};
  const woken = new Promise<void>((r) => {
    wake = r;
  });
  const s: Stop = {
    stopped: false,
    wake: () => {
      s.stopped = true;
      wake();
    },
    woken,
  };
  return s;
}

/**
 * Leader election of the heal engine on etcd, built from etcd's concurrency primitives: a session (lease
 * kept alive, demoted before it could expire), an election (a key per candidate; the oldest leads; the
 * leader's key create revision is the fencing token) and a registry changed only by transactions
 * conditioned on the leader's key. Safe mode when etcd has no quorum or cannot be reached.
 */
export class EtcdCoordinator implements Coordinator {
  readonly backend = 'etcd' as const;
  readonly id: string;
  private readonly calls: EtcdCalls;
  private readonly notifier = new LeadershipNotifier();
  private readonly monitor: SafeModeMonitor;
  private readonly prefix: string;
  private session: Session | undefined;
  private candidate: CandidateKey | undefined;
  private elected = false;
  private campaigning = false;
  private closed = false;
  private crashed = false;
  private loop: Promise<void> | undefined;
  private stop: Stop = stopSignal();
  private lastReason = 'not campaigning';
  /** Leases given up without a successful revoke (demoted, unreachable): revoked once etcd answers. */
  private readonly abandoned = new Map<string, number>();

  constructor(private readonly s: EtcdCoordinatorSettings) {
    this.id = s.id;
    this.prefix = `${s.namespace}/election/${s.election}/`;
    this.monitor = new SafeModeMonitor({
      endpoints: s.endpoints,
      afterMs: s.safeModeAfterMs,
      probeIntervalMs: s.probeIntervalMs,
      probe: () => this.calls.call('probe', () => this.calls.client.get(`${s.namespace}/probe`).exec(), 1),
      onChange: () => this.refresh(this.monitor.reason() || 'safe mode over: etcd answers again'),
    });
    this.calls = new EtcdCalls({
      endpoints: s.endpoints,
      callTimeoutMs: s.callTimeoutMs,
      attempts: s.callAttempts,
      onContact: () => this.monitor.contact(),
      security: { tls: s.tls, auth: s.auth },
    });
    this.monitor.start();
  }

  async campaign(): Promise<void> {
    if (this.closed) throw new CoordClosedError();
    if (this.campaigning) return;
    this.campaigning = true;
    this.stop = stopSignal();
    this.lastReason = 'campaigning';
    this.loop = this.run(this.stop);
  }

  isLeader(): boolean {
    return this.elected && this.campaigning && this.session?.alive() === true && !this.monitor.isSafeMode();
  }

  token(): number | undefined {
    return this.isLeader() ? this.candidate?.rev : undefined;
  }

  whenLeader(timeoutMs: number): Promise<number> {
    return this.notifier.whenLeader(
      () => this.token(),
      timeoutMs,
      () => new NotLeaderError(`${this.id} did not become leader within ${timeoutMs} ms (${this.status().reason})`),
    );
  }

  onLeadershipChange(cb: (e: LeadershipEvent) => void): () => void {
    return this.notifier.subscribe(cb);
  }

  status(): CoordinatorStatus {
    const leader = this.isLeader();
    const safeMode = this.monitor.isSafeMode();
    return {
      id: this.id,
      backend: 'etcd',
      leader,
      token: leader ? this.candidate?.rev : undefined,
      safeMode,
      reason: safeMode ? this.monitor.reason() : leader ? 'leader' : this.lastReason,
      campaigning: this.campaigning,
    };
  }

  /** Who leads the election right now according to etcd (any instance may ask). */
  async leader(): Promise<{ id: string; token: number } | undefined> {
    return electionLeader(this.calls, this.prefix);
  }

  async resign(): Promise<void> {
    if (!this.campaigning) return;
    this.campaigning = false;
    this.stop.wake();
    await this.loop;
    this.loop = undefined;
  }

  async promote(group: string, member: string, token: number, opts: PromoteOptions = {}): Promise<RegistryEntry> {
    if (this.closed) throw new CoordClosedError();
    const t = parseToken(token, 'promote token');
    assertName(group, 'group');
    assertName(member, 'member');
    if (this.monitor.isSafeMode()) throw new CoordUnavailableError(`cannot promote: ${this.monitor.reason()}`);
    const mine = this.token();
    if (mine === undefined)
      throw new NotLeaderError(`${this.id} cannot promote ${member}: not the leader (${this.status().reason})`);
    if (t < mine) throw new StaleTokenError(t, mine, 'a newer leadership of this instance exists');
    if (t > mine) throw new NotLeaderError(`token ${t} is not this leadership's token (${mine})`);
    return promoteInEtcd(this.calls, {
      registryKey: this.registryKey(group),
      electionKey: this.candidate!.key,
      token: t,
      group,
      member,
      by: this.id,
      expectPrimary: opts.expectPrimary,
    });
  }

  async primary(group: string): Promise<RegistryEntry | undefined> {
    assertName(group, 'group');
    return (await readEntry(this.calls, this.registryKey(group))).entry;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.resign();
    this.closed = true;
    this.monitor.stop();
    this.calls.close();
  }

  /**
   * For tests and chaos: stop keeping the lease alive and drop the client without revoking anything, as if
   * the process had died. The election key stays in etcd until the lease expires.
   */
  async crash(): Promise<void> {
    this.crashed = true;
    this.closed = true;
    this.campaigning = false;
    this.stop.wake();
    void this.session?.close(false).catch(() => {});
    this.monitor.stop();
    this.calls.close();
    this.elected = false;
    this.refresh('crashed');
  }

  private registryKey(group: string): string {
    return `${this.s.namespace}/registry/${encodeURIComponent(group)}`;
  }

  private refresh(reason: string): void {
    this.notifier.update(this.isLeader(), this.candidate?.rev, reason);
  }

  private async run(stop: Stop): Promise<void> {
    let backoff = 100;
    while (!stop.stopped && !this.closed) {
      let reason = 'resigned';
      try {
        await this.revokeAbandoned();
        const session = await Session.open(this.calls, {
          ttlSeconds: this.s.ttlSeconds,
          keepAliveIntervalMs: this.s.keepAliveIntervalMs,
          demoteMarginMs: this.s.demoteMarginMs,
          retryDelayMs: Math.min(200, this.s.keepAliveIntervalMs),
        });
        this.session = session;
        if (!stop.stopped) {
          this.candidate = await putCandidateKey(this.calls, this.prefix, session.leaseId, session.leaseHex, this.id);
          this.lastReason = `standby (queued with revision ${this.candidate.rev})`;
        }
        const won = this.candidate !== undefined && (await this.waitElected(this.candidate.rev, session, stop));
        if (won && this.candidate) {
          this.elected = true;
          backoff = 100;
          this.s.log(`${this.id}: elected leader with token ${this.candidate.rev}`);
          this.refresh('elected');
          reason = await Promise.race([session.died(), stop.woken.then(() => 'resigned')]);
        } else {
          reason = session.diedBecause ?? 'resigned';
        }
      } catch (err) {
        reason = `campaign failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      await this.endTerm(reason, stop);
      if (stop.stopped || this.closed) break;
      await Promise.race([sleep(backoff, undefined, { ref: false }), stop.woken]);
      backoff = Math.min(backoff * 2, 1000);
    }
  }

  /** Ends the current session: revokes its lease when etcd answers, else remembers it to revoke later. */
  private async endTerm(reason: string, stop: Stop): Promise<void> {
    const session = this.session;
    const wasLeader = this.elected;
    this.elected = false;
    this.lastReason = stop.stopped ? 'resigned' : reason;
    if (wasLeader) this.s.log(`${this.id}: leadership with token ${this.candidate?.rev} over: ${reason}`);
    this.refresh(this.lastReason);
    this.candidate = undefined;
    this.session = undefined;
    if (!session) return;
    if (this.crashed) return;
    try {
      await session.close(true);
    } catch {
      this.abandoned.set(session.leaseId, Date.now());
    }
  }

  private async revokeAbandoned(): Promise<void> {
    for (const [id, since] of this.abandoned) {
      try {
        await revokeLease(this.calls, id);
        this.abandoned.delete(id);
      } catch {
        // still unreachable; the lease expires by itself eventually: forget it after a long while
        if (Date.now() - since > 20 * this.s.ttlSeconds * 1000) this.abandoned.delete(id);
        throw new CoordUnavailableError('etcd still unreachable: cannot revoke the previous lease yet');
      }
    }
  }

  /** Waits until no key older than `rev` remains (like Go's waitDeletes); false if stopped or session died. */
  private async waitElected(rev: number, session: Session, stop: Stop): Promise<boolean> {
    let watch: DeleteWatch | undefined;
    let watchedKey: string | undefined;
    try {
      for (;;) {
        if (stop.stopped || !session.alive()) return false;
        let next: Awaited<ReturnType<typeof predecessor>>;
        try {
          next = await predecessor(this.calls, this.prefix, rev);
        } catch (err) {
          if (!(err instanceof CoordUnavailableError)) throw err;
          await Promise.race([sleep(200, undefined, { ref: false }), stop.woken, session.died()]);
          continue;
        }
        if (!next.pred) return session.alive() && !stop.stopped;
        if (next.pred.key !== watchedKey) {
          watch?.cancel();
          watchedKey = next.pred.key;
          watch = new DeleteWatch(this.calls, next.pred.key, next.headerRev + 1);
        }
        await Promise.race([
          watch!.deleted,
          sleep(this.s.recheckMs, undefined, { ref: false }),
          stop.woken,
          session.died(),
        ]);
      }
    } finally {
      watch?.cancel();
    }
  }
}
