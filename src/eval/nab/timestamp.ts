import { NabDataError } from './errors.js';

const TS = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * Parses a NAB timestamp (`YYYY-MM-DD HH:MM:SS`, optionally with a fraction like `.000000`, no
 * zone; read as UTC) to epoch milliseconds, so data rows and window bounds compare equal whether
 * or not they carry the fraction.
 */
export function parseNabTimestamp(text: string, where?: string): number {
  const m = TS.exec(text);
  if (!m) throw new NabDataError(`bad timestamp ${JSON.stringify(text)} (expected YYYY-MM-DD HH:MM:SS)`, where);
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const frac = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  return ms + frac;
}
