/**
 * Name patterns in the heal configuration: `*` matches any run of characters, `?` one character,
 * everything else is literal (case-sensitive). `cpu*` matches `cpu` and `cpu_user`; `*` matches all.
 */
export function compileGlob(pattern: string): (name: string) => boolean {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  const rx = new RegExp(`${re}$`, 's');
  return (name) => rx.test(name);
}

/** True when `name` matches any of the patterns (an empty or missing list matches everything). */
export function matchesAny(patterns: readonly string[] | undefined, name: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => compileGlob(p)(name));
}
