import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
}
export class Canvas {
  px: Uint8Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.px = new Uint8Array(w * h * 3).fill(255);
  }
  set(x: number, y: number, c: [number, number, number]) {
    x = Math.round(x);
    y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const o = (y * this.w + x) * 3;
    this.px[o] = c[0];
    this.px[o + 1] = c[1];
    this.px[o + 2] = c[2];
  }
  vline(x: number, y0: number, y1: number, c: [number, number, number]) {
    const a = Math.min(y0, y1);
    const b = Math.max(y0, y1);
    for (let y = Math.floor(a); y <= Math.ceil(b); y++) this.set(x, y, c);
  }
  save(path: string) {
    const raw = Buffer.alloc((this.w * 3 + 1) * this.h);
    for (let y = 0; y < this.h; y++) {
      raw[y * (this.w * 3 + 1)] = 0;
      Buffer.from(this.px.buffer, y * this.w * 3, this.w * 3).copy(raw, y * (this.w * 3 + 1) + 1);
    }
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(this.w, 0);
    ihdr.writeUInt32BE(this.h, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
        chunk('IHDR', ihdr),
        chunk('IDAT', deflateSync(raw)),
        chunk('IEND', Buffer.alloc(0)),
      ]),
    );
  }
}

/** values (top), score tracks (below), windows shaded, threshold line */
export function plot(
  path: string,
  values: ArrayLike<number>,
  tracks: ArrayLike<number>[],
  inWin: (i: number) => boolean,
  thr: number,
) {
  const W = 1400;
  const VH = 300;
  const TH = 70;
  const H = VH + tracks.length * (TH + 6) + 4;
  const c = new Canvas(W, H);
  const n = values.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1;
  for (let x = 0; x < W; x++) {
    const i0 = Math.floor((x / W) * n);
    const i1 = Math.max(i0 + 1, Math.floor(((x + 1) / W) * n));
    let win = false;
    let a = Infinity;
    let b = -Infinity;
    const ms = tracks.map(() => 0);
    for (let i = i0; i < i1 && i < n; i++) {
      if (inWin(i)) win = true;
      const v = values[i]!;
      if (v < a) a = v;
      if (v > b) b = v;
      tracks.forEach((t, k) => {
        if (t[i]! > ms[k]!) ms[k] = t[i]!;
      });
    }
    if (win) for (let y = 0; y < H; y++) c.set(x, y, [255, 225, 190]);
    const y = (v: number) => 5 + (1 - (v - lo) / (hi - lo)) * (VH - 10);
    c.vline(x, y(a), y(b), [20, 60, 160]);
    tracks.forEach((_, k) => {
      const top = VH + 4 + k * (TH + 6);
      c.vline(x, top + TH, top + TH, [150, 150, 150]);
      c.set(x, top + TH * (1 - thr), [200, 0, 0]);
      const m = ms[k]!;
      if (m > 0) c.vline(x, top + TH, top + TH * (1 - m), m >= thr ? [200, 0, 0] : [0, 130, 0]);
    });
  }
  c.save(path);
}
