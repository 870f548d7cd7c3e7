import type { CorpusFile } from '../../src/eval/nab/index.js';

/** What to draw for one file: its data, label windows, the detector's scores and detections. */
export interface PlotInput {
  file: CorpusFile;
  anomaly: ArrayLike<number>;
  threshold: number;
  title: string;
  subtitle: string;
}

const W = 1100;
const PAD_L = 60;
const PAD_R = 15;
const TOP = 46;
const SERIES_H = 230;
const GAP = 22;
const SCORE_H = 90;
const H = TOP + SERIES_H + GAP + SCORE_H + 28;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fx = (x: number) => x.toFixed(1);

/**
 * An SVG of one file: the series (min/max per pixel column), probationary period (grey), label
 * windows (orange), detections at the threshold (green in a window, red outside), and the
 * detector's score below with the threshold line. The x axis is the row index (NAB scores by row).
 */
export function plotFile(p: PlotInput): string {
  const { file, anomaly, threshold } = p;
  const n = file.layout.rows;
  const plotW = W - PAD_L - PAD_R;
  const x = (i: number) => PAD_L + (i / Math.max(1, n - 1)) * plotW;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of file.values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1;
  const y = (v: number) => TOP + SERIES_H - ((v - lo) / (hi - lo)) * SERIES_H;
  const sTop = TOP + SERIES_H + GAP;
  const ys = (s: number) => sTop + SCORE_H - s * SCORE_H;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11" role="img">`,
    `<title>${esc(`${p.title}: ${p.subtitle}`)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${PAD_L}" y="16" font-size="14" font-weight="bold">${esc(p.title)}</text>`,
    `<text x="${PAD_L}" y="33" fill="#444">${esc(p.subtitle)}</text>`,
  );
  // probationary period and label windows, over both panels
  const bandH = SERIES_H + GAP + SCORE_H;
  parts.push(
    `<rect x="${fx(x(0))}" y="${TOP}" width="${fx(x(file.layout.probation) - x(0))}" height="${bandH}" fill="#e8e8e8"/>`,
  );
  file.layout.windows.forEach((_, w) => {
    const first = file.layout.windowFirstRow[w] as number;
    let last = first;
    while (last + 1 < n && file.layout.window[last + 1] === w) last++;
    parts.push(
      `<rect x="${fx(x(first))}" y="${TOP}" width="${fx(Math.max(1, x(last) - x(first)))}" height="${bandH}" fill="#ffd8a8" opacity="0.8"/>`,
    );
  });
  // series: min/max per pixel column
  parts.push(columnPath(file.values, n, plotW, x, y, '#1c5fa8'));
  // score panel
  parts.push(columnPath(anomaly, n, plotW, x, ys, '#555'));
  parts.push(
    `<line x1="${PAD_L}" x2="${W - PAD_R}" y1="${fx(ys(threshold))}" y2="${fx(ys(threshold))}" stroke="#c92a2a" stroke-dasharray="4 3"/>`,
    `<text x="${W - PAD_R}" y="${fx(ys(threshold) - 3)}" text-anchor="end" fill="#c92a2a">threshold ${threshold.toPrecision(4)}</text>`,
  );
  // detections
  for (let i = file.layout.firstScored; i < n; i++) {
    if ((anomaly[i] as number) < threshold) continue;
    const inWindow = (file.layout.window[i] as number) >= 0;
    parts.push(
      `<circle cx="${fx(x(i))}" cy="${fx(y(file.values[i] as number))}" r="3.2" fill="${inWindow ? '#2b8a3e' : '#e03131'}" opacity="0.85"/>`,
    );
  }
  // axes and labels
  parts.push(
    `<rect x="${PAD_L}" y="${TOP}" width="${plotW}" height="${SERIES_H}" fill="none" stroke="#999"/>`,
    `<rect x="${PAD_L}" y="${sTop}" width="${plotW}" height="${SCORE_H}" fill="none" stroke="#999"/>`,
    `<text x="${PAD_L - 4}" y="${TOP + 10}" text-anchor="end">${esc(fmt(hi))}</text>`,
    `<text x="${PAD_L - 4}" y="${TOP + SERIES_H}" text-anchor="end">${esc(fmt(lo))}</text>`,
    `<text x="${PAD_L - 4}" y="${sTop + 10}" text-anchor="end">score 1</text>`,
    `<text x="${PAD_L - 4}" y="${sTop + SCORE_H}" text-anchor="end">0</text>`,
    `<text x="${PAD_L}" y="${H - 8}" fill="#444">${esc(file.timestampText[0] ?? '')}</text>`,
    `<text x="${W - PAD_R}" y="${H - 8}" text-anchor="end" fill="#444">${esc(file.timestampText[n - 1] ?? '')}</text>`,
    `<text x="${W / 2}" y="${H - 8}" text-anchor="middle" fill="#444">grey: probationary · orange: label windows · ` +
      `green/red: detections in/outside a window · row index on x</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

function columnPath(
  v: ArrayLike<number>,
  n: number,
  plotW: number,
  x: (i: number) => number,
  y: (v: number) => number,
  color: string,
): string {
  const cols = Math.max(1, Math.floor(plotW));
  const per = n / cols;
  const d: string[] = [];
  for (let c = 0; c < cols; c++) {
    const a = Math.floor(c * per);
    const b = Math.min(n, Math.max(a + 1, Math.floor((c + 1) * per)));
    let mn = Number.POSITIVE_INFINITY;
    let mx = Number.NEGATIVE_INFINITY;
    for (let i = a; i < b; i++) {
      const val = v[i] as number;
      if (val < mn) mn = val;
      if (val > mx) mx = val;
    }
    if (!Number.isFinite(mn)) continue;
    const xc = x(a);
    d.push(`${d.length === 0 ? 'M' : 'L'}${fx(xc)},${fx(y(mn))}L${fx(xc)},${fx(y(mx))}`);
  }
  return `<path d="${d.join('')}" fill="none" stroke="${color}" stroke-width="1"/>`;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(2) : String(Math.round(v * 100) / 100);
}
