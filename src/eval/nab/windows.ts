import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NabDataError } from './errors.js';
import { parseNabTimestamp } from './timestamp.js';

/** One labelled anomaly window; both ends inclusive, as epoch ms (and the original text). */
export interface LabelWindow {
  start: number;
  end: number;
  startText: string;
  endText: string;
}

/** Windows by corpus key (`<category>/<file>.csv`), in file order. */
export type WindowsByFile = Map<string, LabelWindow[]>;

const WindowsJson = z.record(z.string(), z.array(z.tuple([z.string(), z.string()])));

/** Parses the content of labels/combined_windows.json. */
export function parseWindows(json: unknown, where: string): WindowsByFile {
  const parsed = WindowsJson.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NabDataError(`invalid windows at ${issue?.path.join('.') ?? '?'}: ${issue?.message}`, where);
  }
  const out: WindowsByFile = new Map();
  for (const [key, pairs] of Object.entries(parsed.data)) {
    const list = pairs.map(([s, e], i) => {
      const at = `${where} ${key}[${i}]`;
      const w = { start: parseNabTimestamp(s, at), end: parseNabTimestamp(e, at), startText: s, endText: e };
      if (w.end < w.start) throw new NabDataError(`window ends before it starts`, at);
      return w;
    });
    out.set(key, list);
  }
  return out;
}

export function loadWindows(file: string): WindowsByFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new NabDataError(`cannot read windows: ${(err as Error).message}`, file);
  }
  return parseWindows(json, file);
}

/** Total number of windows (NAB's normalisation uses this count). */
export function countWindows(windows: WindowsByFile, keys?: Iterable<string>): number {
  let n = 0;
  for (const k of keys ?? windows.keys()) n += windows.get(k)?.length ?? 0;
  return n;
}
