/** Human-readable text for anomaly events. */

/** A number for people: 3 significant digits when small, one decimal otherwise, compact when huge. */
export function fmtNum(x: number | null): string {
  if (x === null || !Number.isFinite(x)) return 'n/a';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a < 0.01 || a >= 1e6) return String(Number(x.toPrecision(3)));
  if (a < 10) return x.toPrecision(3);
  return x.toFixed(1);
}

/** A duration in ms for people: 90000 → "1.5m". */
export function fmtDuration(ms: number): string {
  const units: [number, string][] = [
    [604_800_000, 'w'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [u, name] of units) if (ms >= u) return `${Number((ms / u).toFixed(1))}${name}`;
  return `${Math.round(ms)}ms`;
}

export interface ReasonInput {
  source: string;
  metric: string;
  value: number | null;
  expected: number | null;
  lower: number | null;
  upper: number | null;
  score: number;
  /** signed σ of the top detector (0 when unknown) */
  z: number;
  /** detector names and scores */
  names: readonly string[];
  scores: ArrayLike<number>;
}

/** "cpu.util on web-1 = 97.2, expected 41.0 (band 35.1–46.9), 6.3σ above; detectors: zscore 0.81, robust 0.77" */
export function firingReason(r: ReasonInput): string {
  let s = `${r.metric} on ${r.source} = ${fmtNum(r.value)}`;
  if (r.expected !== null) {
    s += `, expected ${fmtNum(r.expected)}`;
    if (r.lower !== null && r.upper !== null) s += ` (band ${fmtNum(r.lower)}–${fmtNum(r.upper)})`;
  }
  if (r.z !== 0 && Number.isFinite(r.z)) s += `, ${Math.abs(r.z).toFixed(1)}σ ${r.z > 0 ? 'above' : 'below'}`;
  s += `; score ${r.score.toFixed(2)}; detectors: ${detectorList(r.names, r.scores)}`;
  return s;
}

/** "cpu.util on web-1 back to normal = 42.0, expected 41.0 (band …); no hit for 10m, anomaly lasted 12m" */
export function resolvedReason(r: ReasonInput, recover: number, lasted: number): string {
  let s = `${r.metric} on ${r.source} back to normal = ${fmtNum(r.value)}`;
  if (r.expected !== null) {
    s += `, expected ${fmtNum(r.expected)}`;
    if (r.lower !== null && r.upper !== null) s += ` (band ${fmtNum(r.lower)}–${fmtNum(r.upper)})`;
  }
  return `${s}; no hit for ${fmtDuration(recover)}, anomaly lasted ${fmtDuration(lasted)}`;
}

/** the detectors that scored, highest first (at most 5; the top one even when low) */
function detectorList(names: readonly string[], scores: ArrayLike<number>): string {
  const idx = names.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const shown = idx.filter((i, k) => k === 0 || (scores[i] as number) >= 0.1).slice(0, 5);
  return shown.map((i) => `${names[i]} ${(scores[i] as number).toFixed(2)}`).join(', ');
}
