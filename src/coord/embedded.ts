import { CoordClosedError, NotLeaderError, RegistryConflictError, StaleTokenError } from './errors.js';
import { LeadershipNotifier } from './leadership.js';
import { assertName } from './names.js';
import { parseToken } from './token.js';
import type { Coordinator, CoordinatorStatus, LeadershipEvent, PromoteOptions, RegistryEntry } from './types.js';

export interface EmbeddedCoordinatorOptions {
  id?: string;
  /**
   * First token handed out. Default: the wall clock in ms, so tokens keep growing across restarts of a
   * single-process deployment and an actuator that remembers the newest token still accepts the new process.
   */
  startToken?: number;
}

/**
 * The single-process coordinator (the default for `npm start`): campaigning makes it leader at once, every
 * new leadership gets a larger token, and the registry lives in memory with the same rules as on etcd.
 */
export class EmbeddedCoordinator implements Coordinator {
  readonly backend = 'embedded' as const;
  readonly id: string;
  private readonly notifier = new LeadershipNotifier();
  private readonly registry = new Map<string, RegistryEntry>();
  private lastToken: number;
  private current: number | undefined;
  private closed = false;

  constructor(opts: EmbeddedCoordinatorOptions = {}) {
    this.id = opts.id ?? `embedded-${process.pid}`;
    this.lastToken = parseToken(opts.startToken ?? Date.now(), 'startToken') - 1;
  }

  async campaign(): Promise<void> {
    if (this.closed) throw new CoordClosedError();
    if (this.current !== undefined) return;
    this.lastToken += 1;
    this.current = this.lastToken;
    this.notifier.update(true, this.current, 'elected (embedded coordinator: the only candidate)');
  }

  whenLeader(timeoutMs: number): Promise<number> {
    return this.notifier.whenLeader(
      () => this.current,
      timeoutMs,
      () => new NotLeaderError(`${this.id} is not campaigning`),
    );
  }

  isLeader(): boolean {
    return this.current !== undefined;
  }

  token(): number | undefined {
    return this.current;
  }

  async resign(): Promise<void> {
    if (this.current === undefined) return;
    this.current = undefined;
    this.notifier.update(false, undefined, 'resigned');
  }

  onLeadershipChange(cb: (e: LeadershipEvent) => void): () => void {
    return this.notifier.subscribe(cb);
  }

  status(): CoordinatorStatus {
    const leader = this.current !== undefined;
    return {
      id: this.id,
      backend: 'embedded',
      leader,
      token: this.current,
      safeMode: false,
      reason: this.closed ? 'closed' : leader ? 'leader' : 'not campaigning',
      campaigning: leader,
    };
  }

  async promote(group: string, member: string, token: number, opts: PromoteOptions = {}): Promise<RegistryEntry> {
    if (this.closed) throw new CoordClosedError();
    const t = parseToken(token, 'promote token');
    assertName(group, 'group');
    assertName(member, 'member');
    if (this.current === undefined) throw new NotLeaderError(`${this.id} cannot promote ${member}: not campaigning`);
    if (t < this.current) throw new StaleTokenError(t, this.current, 'a newer leadership of this coordinator exists');
    if (t > this.current) throw new NotLeaderError(`token ${t} is not this leadership's token (${this.current})`);
    const entry = this.registry.get(group);
    if (entry && entry.token > t)
      throw new StaleTokenError(t, entry.token, `group ${group} was last changed by ${entry.by}`);
    if (opts.expectPrimary !== undefined && (entry?.primary ?? null) !== opts.expectPrimary) {
      throw new RegistryConflictError(
        `group ${group}: expected primary ${opts.expectPrimary ?? '(none)'} but it is ${entry?.primary ?? '(none)'}`,
        false,
      );
    }
    const next: RegistryEntry = {
      group,
      primary: member,
      previous: entry?.primary,
      token: t,
      by: this.id,
      at: Date.now(),
    };
    this.registry.set(group, next);
    return { ...next };
  }

  async primary(group: string): Promise<RegistryEntry | undefined> {
    assertName(group, 'group');
    const entry = this.registry.get(group);
    return entry ? { ...entry } : undefined;
  }

  async close(): Promise<void> {
    await this.resign();
    this.closed = true;
  }
}
