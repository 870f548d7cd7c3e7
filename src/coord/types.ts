/** The coordinator: leader election of the heal engine, fencing tokens, and the primary/backup registry. */

/** Emitted whenever this instance starts or stops being allowed to act as leader. */
export interface LeadershipEvent {
  leader: boolean;
  /** Fencing token of the leadership (the election key's create revision); set when leader is true. */
  token: number | undefined;
  /** Why it changed: 'elected', 'resigned', 'lease lost', 'safe mode: quorum lost', ... */
  reason: string;
  /** Wall-clock ms when this instance noticed the change. */
  at: number;
}

export interface CoordinatorStatus {
  /** This instance's id (the value it campaigns with). */
  id: string;
  backend: 'embedded' | 'etcd';
  /** Whether this instance may act as leader right now. */
  leader: boolean;
  /** The fencing token to put on actions; undefined unless leader. */
  token: number | undefined;
  /** True when coordination is impossible (etcd unreachable / quorum lost): do not act. */
  safeMode: boolean;
  /** Human-readable state: why safe mode, why not leader, or 'leader'. */
  reason: string;
  /** Whether campaign() was called and resign() was not. */
  campaigning: boolean;
}

/** The primary of a group as recorded in the registry. */
export interface RegistryEntry {
  group: string;
  primary: string;
  /** The primary before the last promotion, when there was one. */
  previous: string | undefined;
  /** Fencing token of the leadership that made the last change. */
  token: number;
  /** Coordinator id that made the last change. */
  by: string;
  /** Wall-clock ms of the last change. */
  at: number;
}

export interface PromoteOptions {
  /** Only promote when the current primary is this member (or when no primary is recorded yet, if null). */
  expectPrimary?: string | null;
}

export interface Coordinator {
  readonly id: string;
  readonly backend: 'embedded' | 'etcd';
  /** Starts campaigning for leadership (idempotent); leadership is reported through onLeadershipChange. */
  campaign(): Promise<void>;
  /** Resolves with the token once this instance leads; rejects after `timeoutMs` with NotLeaderError. */
  whenLeader(timeoutMs: number): Promise<number>;
  /** True while this instance may act as leader (elected, lease safe, not in safe mode). */
  isLeader(): boolean;
  /** The current fencing token while leader, else undefined. */
  token(): number | undefined;
  /** Stops campaigning and gives up leadership (the next candidate takes over at once). */
  resign(): Promise<void>;
  /** Subscribes to leadership changes; returns the unsubscribe function. */
  onLeadershipChange(cb: (e: LeadershipEvent) => void): () => void;
  status(): CoordinatorStatus;
  /**
   * Records `member` as the primary of `group`. Only the current leader with its current token can do it, and
   * only when no newer token has written the entry; two engines can never promote two primaries.
   * Throws NotLeaderError, StaleTokenError, RegistryConflictError (expectPrimary mismatch) or
   * CoordUnavailableError (retriable).
   */
  promote(group: string, member: string, token: number, opts?: PromoteOptions): Promise<RegistryEntry>;
  /** The registry entry of `group`, undefined when none was recorded. */
  primary(group: string): Promise<RegistryEntry | undefined>;
  /** Resigns and releases every resource (timers, client). */
  close(): Promise<void>;
}
