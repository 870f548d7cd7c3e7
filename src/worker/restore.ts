import { ChangelogValue, markerKey, type PartitionCheckpoint, type SeriesCheckpoint } from './changelog-record.js';

/** What a worker does with a newly assigned partition, decided from its changelog records. */
export type RestorePlan =
  | {
      kind: 'restore';
      /** first input offset the restored states do not cover */
      resumeFrom: number;
      checkpoint: PartitionCheckpoint;
      series: Array<{ id: string; state: unknown; lastTs: number; skipUntil: number }>;
    }
  /** nothing (usable) to restore: rebuild by replay */
  | { kind: 'none'; reason: string }
  /** records exist but may not be used (other detector configuration, unknown version, corrupt) */
  | { kind: 'refused'; reason: string; refused: number };

/**
 * Collects the changelog records of one input partition (fed in log order) and decides how to
 * restore it. Pure: no I/O, no clock.
 *
 * - the newest marker (`checkpoint#<p>`) gives the resume point C + 1;
 * - per series the record covering the highest offset wins (a late write of an older state by a
 *   member that lost the partition cannot roll a series back while both records are retained);
 *   a tombstone deletes the series;
 * - a record covering more than C (a checkpoint interrupted between its series records and its
 *   marker) is restored with `skipUntil`: its series skips the input it already contains;
 * - `revive(state)` must return the very object it was given, else the state was made by another
 *   detector configuration (or code) and the whole partition is refused: rebuilt by replay;
 * - a marker ahead of the group's committed offset (offsets reset by an operator?) is refused too.
 */
export class RestoreCollector {
  private readonly series = new Map<string, SeriesCheckpoint>();
  private marker: PartitionCheckpoint | null = null;
  private readonly problems: string[] = [];
  private unknownVersions = 0;
  private corrupt = 0;
  records = 0;

  constructor(
    private readonly partition: number,
    private readonly describe: string = `partition ${partition}`,
  ) {}

  add(key: string | null, value: string | null): void {
    this.records++;
    if (key === null) return;
    if (value === null) {
      this.series.delete(key);
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(value);
    } catch {
      this.corrupt++;
      if (this.problems.length < 3) this.problems.push(`${key}: not JSON`);
      return;
    }
    const parsed = ChangelogValue.safeParse(raw);
    if (!parsed.success) {
      const v = (raw as { v?: unknown } | null)?.v;
      if (typeof v === 'number' && v !== 1) this.unknownVersions++;
      else this.corrupt++;
      if (this.problems.length < 3) {
        const issue = parsed.error.issues[0];
        this.problems.push(`${key}: ${issue ? `${issue.path.join('.') || '(value)'}: ${issue.message}` : 'invalid'}`);
      }
      return;
    }
    const rec = parsed.data;
    if (rec.partition !== this.partition) return;
    if (rec.kind === 'checkpoint') {
      if (key !== markerKey(this.partition)) return;
      if (this.marker === null || Number(rec.offset) >= Number(this.marker.offset)) this.marker = rec;
      return;
    }
    const prev = this.series.get(key);
    if (prev === undefined || Number(rec.offset) >= Number(prev.offset)) this.series.set(key, rec);
  }

  plan(committed: number, revive: (state: unknown) => boolean): RestorePlan {
    const what = this.describe;
    if (this.unknownVersions > 0) {
      return {
        kind: 'refused',
        refused: this.unknownVersions,
        reason: `${what}: ${this.unknownVersions} changelog record(s) of a format this worker does not know (it reads version 1): written by newer faultline code? (${this.problems.join('; ')})`,
      };
    }
    if (this.corrupt > 0) {
      return {
        kind: 'refused',
        refused: this.corrupt,
        reason: `${what}: ${this.corrupt} unreadable changelog record(s) (${this.problems.join('; ')})`,
      };
    }
    const marker = this.marker;
    if (marker === null) {
      return {
        kind: 'none',
        reason:
          this.series.size > 0
            ? `${what}: no complete checkpoint (series records without a checkpoint marker)`
            : `${what}: no checkpoint yet`,
      };
    }
    const c = Number(marker.offset);
    if (c + 1 > committed) {
      return {
        kind: 'refused',
        refused: 1,
        reason: `${what}: the checkpoint covers input up to offset ${c} but the group resumes at ${committed} (offsets reset?): its state is ahead of the input to process`,
      };
    }
    let mismatched = 0;
    let example = '';
    const series: Array<{ id: string; state: unknown; lastTs: number; skipUntil: number }> = [];
    for (const [id, rec] of this.series) {
      if (!revive(rec.state)) {
        mismatched++;
        example ||= id;
        continue;
      }
      const o = Number(rec.offset);
      series.push({
        id,
        state: rec.state,
        lastTs: rec.lastTs ?? Number.NEGATIVE_INFINITY,
        skipUntil: o > c ? o : -1,
      });
    }
    if (mismatched > 0) {
      return {
        kind: 'refused',
        refused: mismatched,
        reason: `${what}: ${mismatched} of ${this.series.size} checkpointed series states (e.g. ${example}) were made by a different detector configuration or version (state fingerprint mismatch)`,
      };
    }
    return { kind: 'restore', resumeFrom: c + 1, checkpoint: marker, series };
  }
}
