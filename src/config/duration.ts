import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration: a number of milliseconds or a string like "250ms", "30s", "5m", "2h", "7d", "1w". */
export const Duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?(ms|s|m|h|d|w)$/, 'expected a duration like "30s", "5m", "2h", "7d"'),
  ])
  .transform((d) => {
    if (typeof d === 'number') return d;
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(d) as RegExpExecArray;
    return Number(m[1]) * (UNITS[m[2] as string] as number);
  });
