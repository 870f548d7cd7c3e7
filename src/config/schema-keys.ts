import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Strip wrappers (default, prefault, optional, pipe...) down to the structural schema. */
function unwrap(s: z.ZodType): z.ZodType {
  for (let i = 0; i < 16; i++) {
    const d = defOf(s);
    const inner = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!inner) return s;
    s = inner;
  }
  return s;
}

/** Pick the branch of a discriminated union that matches `value` (by its discriminator). */
function branch(s: z.ZodType, value: unknown): z.ZodType {
  const d = defOf(s);
  if (d.type !== 'union' || !d.discriminator || !d.options) return s;
  const tag = (value as Record<string, unknown> | undefined)?.[d.discriminator];
  for (const opt of d.options) {
    const shape = defOf(unwrap(opt)).shape;
    const lit = shape?.[d.discriminator];
    const values = lit ? (defOf(lit) as { values?: unknown[] }).values : undefined;
    if (values?.includes(tag)) return unwrap(opt);
  }
  return s;
}

/**
 * The keys an object schema accepts at `path` inside `data` (following arrays and discriminated
 * unions by the data's discriminator), or undefined when the path does not lead to an object.
 * Used to suggest the right spelling of an unknown key.
 */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] | undefined {
  let s = unwrap(schema);
  let value: unknown = data;
  for (const step of path) {
    s = branch(s, value);
    const d = defOf(s);
    if (d.type === 'object' && d.shape && typeof step === 'string') s = unwrap(d.shape[step] as z.ZodType);
    else if (d.type === 'array' && d.element) s = unwrap(d.element);
    else return undefined;
    if (!s) return undefined;
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[step] : undefined;
  }
  s = branch(s, value);
  const shape = defOf(s).shape;
  return shape ? Object.keys(shape) : undefined;
}
