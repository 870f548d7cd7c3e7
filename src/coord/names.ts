import { CoordRequestError } from './errors.js';

/** Group and member names: non-empty strings up to 256 characters (they become etcd key parts). */
export function assertName(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new CoordRequestError(
      `${field}: expected a non-empty string of at most 256 characters, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
}
