/** Below this, a numeric timestamp is taken as epoch *seconds* (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_BELOW = 1e11;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const NAIVE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * Parse a timestamp cell into epoch ms, or return undefined.
 * - numbers: epoch milliseconds, or epoch seconds when below 1e11;
 * - ISO 8601 strings; a date-time without a zone (`2013-12-02 21:15:00`, as in NAB) is UTC.
 */
export function parseTimestamp(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return n < SECONDS_BELOW ? Math.round(n * 1000) : n;
  }
  const naive = NAIVE.exec(s);
  // only ISO 8601 (V8's Date.parse also accepts loose forms like "-5", which would hide errors)
  const ms = naive ? Date.parse(`${naive[1]}T${naive[2]}Z`) : ISO_DATE.test(s) ? Date.parse(s) : Number.NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
