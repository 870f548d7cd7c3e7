import type { ProfileResult } from '../../src/eval/nab/index.js';

/** The published NAB scoreboard (NAB README, v1.0), for side-by-side printing. */
export const SCOREBOARD: ReadonlyArray<[string, number, number, number]> = [
  ['ARTime', 74.9, 65.1, 80.4],
  ['Numenta HTM', 70.1, 63.1, 74.3],
  ['CAD OSE', 69.9, 67.0, 73.2],
  ['earthgecko Skyline', 58.2, 46.2, 63.9],
  ['KNN CAD', 58.0, 43.4, 64.8],
  ['Random Cut Forest', 51.7, 38.4, 59.7],
  ['Twitter ADVec', 47.1, 33.6, 53.5],
  ['Windowed Gaussian', 39.6, 20.9, 47.4],
];

export function table(head: string[], rows: Array<Array<string | number>>): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r.map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

export const f2 = (x: number | null) => (x === null ? '-' : x.toFixed(2));

/** Profile scores: threshold, raw, normalised, windows caught, FP rows. */
export function profileTable(results: ProfileResult[]): string {
  return table(
    ['profile', 'threshold', 'raw', 'NAB score', 'windows hit', 'TP rows', 'FP rows'],
    results.map((r) => [
      r.profile.name,
      r.threshold.toPrecision(6),
      r.raw.toFixed(4),
      r.normalized.toFixed(2),
      `${r.totals.windowsHit}/${r.totals.windows}`,
      r.totals.tp,
      r.totals.fp,
    ]),
  );
}

/** Per-category normalised scores (each profile at its corpus-wide threshold). */
export function categoryTable(results: ProfileResult[]): string {
  const cats = results[0]?.categories ?? [];
  return table(
    ['category', 'files', 'windows', ...results.map((r) => r.profile.name), 'hit (std)', 'FP (std)'],
    cats.map((c, i) => [
      c.category,
      c.files,
      c.windows,
      ...results.map((r) => {
        const cr = r.categories[i];
        return cr?.normalized === null ? `raw ${cr?.score.toFixed(2)}` : f2(cr?.normalized ?? null);
      }),
      `${c.windowsHit}/${c.windows}`,
      c.fp,
    ]),
  );
}
