/**
 * A tiny structured logger used by the transport and the worker. Lines go to stderr as
 * `2025-01-01T00:00:00.000Z WARN  [worker] message key=value`, so stdout stays free for data.
 * No secret is written: fields named like one (password, token, authorization, ...) are replaced by
 * `[redacted]` at any depth, and registered secret values are masked anywhere in the line.
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

/**
 * Field names whose values are never written, at any depth. Not `key` (a Kafka message key) nor a
 * bare `token` (the coordinator's fencing token is not a secret).
 */
const SECRET_FIELD =
  /password|passphrase|^pass(wd)?$|secret|(auth|access|bearer|refresh|session)[-_]?token|authorization|credential|private[-_]?key|api[-_]?key|cookie/i;
export const REDACTED = '[redacted]';

/** Whether a field of that name holds a secret (its value is never logged nor echoed in an error). */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** Secret values in use (SASL and etcd passwords, key passphrases): masked wherever they would appear in a line. */
const secrets = new Set<string>();
/** Shorter values are not masked: too likely to occur by chance in ordinary text. */
const MIN_SECRET_LENGTH = 4;

/** Registers a secret value: from now on every log line has it replaced by `[redacted]`. */
export function registerSecret(value: string): void {
  if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/** `text` with every registered secret masked. */
export function maskSecrets(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A copy of `v` with secret-named fields replaced, for logging (cycles and depth bounded). */
export function redactFields(v: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Error) return v.message;
  if (seen.has(v) || depth > 8) return '[…]';
  seen.add(v);
  if (Array.isArray(v)) return v.map((x) => redactFields(x, depth + 1, seen));
  if (Buffer.isBuffer(v)) return `<${v.length} bytes>`;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = SECRET_FIELD.test(k) ? REDACTED : redactFields(x, depth + 1, seen);
  return out;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  if (typeof v === 'object' && v !== null) return JSON.stringify(redactFields(v));
  return String(v);
}

export function createLog(opts: { level?: LogLevel; name?: string; write?: (line: string) => void } = {}): Log {
  const level = opts.level ?? 'info';
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const make = (name: string | undefined): Log => {
    const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: LogFields) => {
      if (RANK[lvl] < RANK[level]) return;
      let line = `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} ${name ? `[${name}] ` : ''}${msg}`;
      if (fields)
        for (const [k, v] of Object.entries(fields))
          if (v !== undefined) line += ` ${k}=${SECRET_FIELD.test(k) ? REDACTED : formatValue(v)}`;
      write(secrets.size > 0 ? maskSecrets(line) : line);
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
