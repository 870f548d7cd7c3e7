import type { DetectorStatus } from '../contracts/score.js';
import type { DetectorOutput } from './detector.js';

/** The reusable per-detector output object (one per detector instance: no allocation per point). */
export class DetectorOut implements DetectorOutput {
  score = 0;
  z = 0;
  expected = Number.NaN;
  spread = Number.NaN;
  status: DetectorStatus = 'learning';
  newLevel = Number.NaN;

  /** fill for a point that is not scored (missing value or learning) */
  idle(status: DetectorStatus, expected: number, spread: number): this {
    this.score = 0;
    this.z = 0;
    this.expected = expected;
    this.spread = spread;
    this.status = status;
    this.newLevel = Number.NaN;
    return this;
  }
}

/** Per-point weight of an exponentially weighted average with the given half-life in points. */
export function ewAlpha(halfLife: number): number {
  return 1 - 2 ** (-1 / halfLife);
}
