import { z } from 'zod';
import { InvalidTokenError } from './errors.js';

/** A fencing token: a positive safe integer (an etcd revision, or the embedded backend's counter). */
export const FencingToken = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Validates a token at a boundary; throws InvalidTokenError naming `where`. */
export function parseToken(value: unknown, where = 'token'): number {
  const parsed = FencingToken.safeParse(value);
  if (!parsed.success) {
    throw new InvalidTokenError(
      `${where}: expected a fencing token (positive integer), got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return parsed.data;
}
