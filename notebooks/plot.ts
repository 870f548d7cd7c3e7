/**
 * Small SVG charts for the notebooks: stacked panels sharing one x axis (data time), each with line
 * series, shaded bands (e.g. real fault windows) and an optional horizontal threshold. Returns an SVG
 * string; in tslab show it with `tslab.display.html(svg)`.
 */
export interface Line {
  label: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number | null>;
  color: string;
}

export interface Panel {
  title: string;
  lines: Line[];
  /** shaded x ranges drawn behind the lines */
  bands?: { from: number; to: number; color: string }[];
  /** fixed y range; default: the data's range */
  y?: [number, number];
  threshold?: number;
  height?: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f1 = (v: number) => v.toFixed(1);

function range(p: Panel): [number, number] {
  if (p.y) return p.y;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const l of p.lines)
    for (let i = 0; i < l.ys.length; i++) {
      const v = l.ys[i];
      if (v === null || v === undefined || !Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  if (!Number.isFinite(lo)) return [0, 1];
  return hi === lo ? [lo - 1, hi + 1] : [lo, hi];
}

/** x label formatter: epoch ms as UTC `MM-DD HH:mm`, small numbers (epochs, rows) as they are. */
function xLabel(x: number): string {
  return x > 1e11 ? new Date(x).toISOString().slice(5, 16).replace('T', ' ') : String(Math.round(x));
}

export function chart(panels: Panel[], opts: { width?: number; title?: string } = {}): string {
  const W = opts.width ?? 960;
  const L = 56;
  const R = 140;
  const plotW = W - L - R;
  let xMin = Number.POSITIVE_INFINITY;
  let xMax = Number.NEGATIVE_INFINITY;
  for (const p of panels)
    for (const l of p.lines)
      for (let i = 0; i < l.xs.length; i++) {
        xMin = Math.min(xMin, l.xs[i] as number);
        xMax = Math.max(xMax, l.xs[i] as number);
      }
  if (xMax === xMin) xMax = xMin + 1;
  const x = (v: number) => L + ((v - xMin) / (xMax - xMin)) * plotW;
  const out: string[] = [];
  let top = opts.title ? 28 : 8;
  if (opts.title) out.push(`<text x="${L}" y="18" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  for (const p of panels) {
    const H = p.height ?? 160;
    const [lo, hi] = range(p);
    const y = (v: number) => top + 16 + H - ((v - lo) / (hi - lo)) * H;
    out.push(`<text x="${L}" y="${top + 11}" font-weight="bold">${esc(p.title)}</text>`);
    out.push(`<rect x="${L}" y="${top + 16}" width="${plotW}" height="${H}" fill="none" stroke="#ccc"/>`);
    for (const b of p.bands ?? [])
      out.push(
        `<rect x="${f1(x(b.from))}" y="${top + 16}" width="${f1(Math.max(1, x(b.to) - x(b.from)))}" height="${H}" fill="${b.color}"/>`,
      );
    out.push(`<text x="${L - 4}" y="${f1(y(hi) + 4)}" text-anchor="end">${+hi.toPrecision(3)}</text>`);
    out.push(`<text x="${L - 4}" y="${f1(y(lo))}" text-anchor="end">${+lo.toPrecision(3)}</text>`);
    if (p.threshold !== undefined)
      out.push(
        `<line x1="${L}" x2="${L + plotW}" y1="${f1(y(p.threshold))}" y2="${f1(y(p.threshold))}" stroke="#c00" stroke-dasharray="4 3"/>`,
      );
    p.lines.forEach((l, k) => {
      let d = '';
      let pen = false;
      for (let i = 0; i < l.xs.length; i++) {
        const v = l.ys[i];
        if (v === null || v === undefined || !Number.isFinite(v)) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${f1(x(l.xs[i] as number))} ${f1(y(Math.min(hi, Math.max(lo, v))))}`;
        pen = true;
      }
      out.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="1.2"/>`);
      const ly = top + 28 + k * 15;
      out.push(`<rect x="${L + plotW + 10}" y="${ly - 8}" width="10" height="10" fill="${l.color}"/>`);
      out.push(`<text x="${L + plotW + 24}" y="${ly}">${esc(l.label)}</text>`);
    });
    top += H + 26;
  }
  out.push(`<text x="${L}" y="${top + 4}" fill="#444">${esc(xLabel(xMin))}</text>`);
  out.push(`<text x="${L + plotW}" y="${top + 4}" text-anchor="end" fill="#444">${esc(xLabel(xMax))}</text>`);
  const Hs = top + 12;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${Hs}" viewBox="0 0 ${W} ${Hs}" font-family="sans-serif" font-size="11"><rect width="${W}" height="${Hs}" fill="white"/>${out.join('')}</svg>`;
}
