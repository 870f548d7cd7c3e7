/**
 * A tiny structured logger used by the transport and the worker. Lines go to stderr as
 * `2025-01-01T00:00:00.000Z WARN  [worker] message key=value`, so stdout stays free for data.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
export type LogFields = Record<string, unknown>;

export interface Log {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** a logger that prefixes messages with `[name]` */
  child(name: string): Log;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function isLogLevel(s: string): s is LogLevel {
  return s in RANK;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

export function createLog(opts: { level?: LogLevel; name?: string; write?: (line: string) => void } = {}): Log {
  const level = opts.level ?? 'info';
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const make = (name: string | undefined): Log => {
    const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
      if (RANK[lvl] < RANK[level]) return;
      let line = `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${name ? `[${name}] ` : ''}${msg}`;
      if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
      write(line);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (n) => make(name ? `${name}.${n}` : n),
    };
  };
  return make(opts.name);
}

/** Discards everything. */
export const silentLog: Log = createLog({ level: 'silent' });
