import { randomBytes } from 'node:crypto';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { parseModelJson, WEIGHTS_FILE } from './artifacts.js';
import { ModelIntegrityError, ModelNotFoundError, ModelSchemaError } from './errors.js';
import { EvalReport } from './evaluate.js';
import { META_FILE, type ModelMeta } from './meta.js';
import {
  listVersions,
  MODEL_FILE,
  PROMOTED_FILE,
  promotedVersion,
  readMeta,
  schemaDifferences,
  sha256,
  versionDir,
} from './registry.js';

/**
 * Which version of a model is served. `<root>/<name>/promoted.json` pins it (`loadModel(…, 'latest')`
 * honours the pin); without the file the newest version is served. Every decision (a promotion, or a
 * challenger refused by `retrain`) is appended to `<root>/<name>/promotions.jsonl` with the
 * evaluations it was based on.
 */
export const PROMOTIONS_LOG = 'promotions.jsonl';

export const Promotion = z.object({
  version: z.number().int().positive(),
  /** the version served before (null: none was pinned and there were no versions) */
  previous: z.number().int().positive().nullable(),
  promotedAt: z.string(),
  /** who: an API key name, `cli`, `retrain` */
  by: z.string(),
  reason: z.string(),
});
export type Promotion = z.infer<typeof Promotion>;

/** One line of promotions.jsonl. */
export const PromotionRecord = z.object({
  at: z.string(),
  decision: z.enum(['promoted', 'refused']),
  version: z.number().int().positive(),
  previous: z.number().int().positive().nullable(),
  by: z.string(),
  reason: z.string(),
  /** the evaluations compared (retrain), on the same held-out windows */
  evaluations: z.object({ current: EvalReport.nullable(), candidate: EvalReport }).optional(),
});
export type PromotionRecord = z.infer<typeof PromotionRecord>;

/** The version served now: the pinned one, else the newest; null when the model has no version. */
export async function servedVersion(root: string, name: string): Promise<number | null> {
  const pinned = await promotedVersion(root, name);
  if (pinned !== null) return pinned;
  const versions = await listVersions(root, name);
  return versions[versions.length - 1] ?? null;
}

/** The promoted.json record, or null when there is none. */
export async function readPromotion(root: string, name: string): Promise<Promotion | null> {
  if ((await promotedVersion(root, name)) === null) return null;
  const json: unknown = JSON.parse(await readFile(join(root, name, PROMOTED_FILE), 'utf8'));
  const r = Promotion.safeParse(json);
  if (r.success) return r.data;
  // a hand-written pointer with only `version` is still honoured
  return {
    version: (json as { version: number }).version,
    previous: null,
    promotedAt: '',
    by: 'unknown',
    reason: 'written by hand',
  };
}

/**
 * Check a version without loading the network (no tfjs needed): meta.json valid and describing this
 * version, sha256 of every file as recorded, model.json parseable, the feature schema consistent with
 * this code's pipeline. Throws ModelNotFoundError / ModelIntegrityError / ModelSchemaError.
 */
export async function verifyVersion(root: string, name: string, version: number): Promise<ModelMeta> {
  const versions = await listVersions(root, name);
  if (!versions.includes(version))
    throw new ModelNotFoundError(
      `model ${JSON.stringify(name)} has no version ${version} (versions: ${versions.join(', ') || 'none'})`,
    );
  const dir = versionDir(root, name, version);
  const meta = await readMeta(dir);
  if (meta.name !== name || meta.version !== version)
    throw new ModelIntegrityError(
      dir,
      META_FILE,
      `describes ${meta.name} version ${meta.version}, not ${name} version ${version}`,
    );
  for (const file of [MODEL_FILE, WEIGHTS_FILE])
    if (!meta.files[file]) throw new ModelIntegrityError(dir, META_FILE, `no sha256 recorded for ${file}`);
  for (const [file, want] of Object.entries(meta.files)) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, file));
    } catch (err) {
      throw new ModelIntegrityError(dir, file, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    const got = sha256(bytes);
    if (got !== want)
      throw new ModelIntegrityError(dir, file, `sha256 mismatch: meta.json records ${want}, the file has ${got}`);
    if (file === MODEL_FILE) {
      try {
        parseModelJson(bytes);
      } catch (err) {
        throw new ModelIntegrityError(dir, MODEL_FILE, (err as Error).message);
      }
    }
  }
  const diffs = schemaDifferences(meta, null);
  if (diffs.length > 0) throw new ModelSchemaError(dir, diffs);
  return meta;
}

/** Append one decision to promotions.jsonl. */
export async function recordDecision(root: string, name: string, record: PromotionRecord): Promise<void> {
  await appendFile(join(root, name, PROMOTIONS_LOG), `${JSON.stringify(PromotionRecord.parse(record))}\n`);
}

/** Every recorded decision, oldest first (bad lines skipped). */
export async function readDecisions(root: string, name: string): Promise<PromotionRecord[]> {
  let text: string;
  try {
    text = await readFile(join(root, name, PROMOTIONS_LOG), 'utf8');
  } catch {
    return [];
  }
  const out: PromotionRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = PromotionRecord.safeParse(JSON.parse(line));
      if (r.success) out.push(r.data);
    } catch {
      // a torn last line: skip
    }
  }
  return out;
}

export interface PromoteOptions {
  by: string;
  reason?: string;
  evaluations?: PromotionRecord['evaluations'];
}

/**
 * Serve `version` from now on: verified first (a version whose checksums or schema fail is refused
 * with the typed error and nothing changes), then `promoted.json` is replaced atomically and the
 * decision recorded. Running servers pick it up on their next `LiveModel.load(name)`.
 */
export async function promoteVersion(
  root: string,
  name: string,
  version: number,
  opts: PromoteOptions,
): Promise<Promotion> {
  await verifyVersion(root, name, version);
  const previous = await servedVersion(root, name);
  const promotion: Promotion = {
    version,
    previous,
    promotedAt: new Date().toISOString(),
    by: opts.by,
    reason: opts.reason ?? 'promoted',
  };
  const file = join(root, name, PROMOTED_FILE);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, `${JSON.stringify(promotion, null, 2)}\n`);
  await rename(tmp, file);
  await recordDecision(root, name, {
    at: promotion.promotedAt,
    decision: 'promoted',
    version,
    previous,
    by: opts.by,
    reason: promotion.reason,
    ...(opts.evaluations ? { evaluations: opts.evaluations } : {}),
  });
  return promotion;
}
