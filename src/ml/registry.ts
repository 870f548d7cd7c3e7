import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ModelKind } from '../contracts/prediction.js';
import { type ModelFiles, modelFromFiles, parseModelJson, WEIGHTS_FILE } from './artifacts.js';
import { ModelIntegrityError, ModelNotFoundError, ModelSchemaError } from './errors.js';
import { FEATURE_PIPELINE_VERSION, inputSize } from './features.js';
import { META_FILE, ModelMeta, ModelName } from './meta.js';
import { type TrainedModel, wrapModel } from './model.js';

/**
 * The model registry: `<root>/<name>/<version>/` holds `model.json`, `weights.bin` and `meta.json`
 * (features, scaler, training data range, evaluation, backend, sha256 of every other file).
 * Versions are 1, 2, 3…; a version folder is written under a temporary name and renamed into place,
 * so a reader never sees half a model.
 */
export const MODEL_FILE = 'model.json';

type Draft<T> = T extends unknown ? Omit<T, 'version' | 'files' | 'name'> : never;
/** Everything of the meta except what the registry fills in (name, version, checksums). */
export type MetaDraft = Draft<ModelMeta>;

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export function versionDir(root: string, name: string, version: number): string {
  return join(root, name, String(version));
}

function checkName(name: string): void {
  const r = ModelName.safeParse(name);
  if (!r.success) throw new ModelNotFoundError(`model name ${JSON.stringify(name)}: ${r.error.issues[0]?.message}`);
}

/** The versions of a model, ascending ([] when none). */
export async function listVersions(root: string, name: string): Promise<number[]> {
  checkName(name);
  let entries: string[];
  try {
    entries = await readdir(join(root, name));
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^[1-9]\d*$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
}

/** `<root>/<name>/promoted.json`: the version served under `'latest'` (written by promote.ts). */
export const PROMOTED_FILE = 'promoted.json';

/** The version pinned by `promoted.json`, or null when the model has none (then the newest is served). */
export async function promotedVersion(root: string, name: string): Promise<number | null> {
  checkName(name);
  const file = join(root, name, PROMOTED_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ModelIntegrityError(join(root, name), PROMOTED_FILE, `cannot be read: ${String(err)}`);
  }
  let v: unknown;
  try {
    v = (JSON.parse(text) as { version?: unknown }).version;
  } catch (err) {
    throw new ModelIntegrityError(join(root, name), PROMOTED_FILE, `invalid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new ModelIntegrityError(join(root, name), PROMOTED_FILE, 'version: expected a positive integer');
  return v;
}

export interface ModelSummary {
  name: string;
  versions: number[];
  latest: number;
}

/** Every model of the registry with its versions. */
export async function listModels(root: string): Promise<ModelSummary[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const out: ModelSummary[] = [];
  for (const name of names.sort()) {
    if (!ModelName.safeParse(name).success) continue;
    const versions = await listVersions(root, name);
    if (versions.length > 0) out.push({ name, versions, latest: versions[versions.length - 1] as number });
  }
  return out;
}

export interface SavedModel {
  name: string;
  version: number;
  dir: string;
  meta: ModelMeta;
}

/** Save a new version (the next number); returns where it went and its complete meta. */
export async function saveModel(root: string, name: string, files: ModelFiles, draft: MetaDraft): Promise<SavedModel> {
  checkName(name);
  const base = join(root, name);
  await mkdir(base, { recursive: true });
  const tmp = join(base, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp);
  try {
    await writeFile(join(tmp, MODEL_FILE), files.modelJson);
    await writeFile(join(tmp, WEIGHTS_FILE), files.weights);
    const hashes = { [MODEL_FILE]: sha256(files.modelJson), [WEIGHTS_FILE]: sha256(files.weights) };
    for (let attempt = 0; attempt < 20; attempt++) {
      const versions = await listVersions(root, name);
      const version = (versions[versions.length - 1] ?? 0) + 1;
      const meta = ModelMeta.parse({ ...draft, name, version, files: hashes });
      await writeFile(join(tmp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
      const dir = versionDir(root, name, version);
      try {
        await rename(tmp, dir);
        return { name, version, dir, meta };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
        // another writer took this version number: take the next
      }
    }
    throw new Error(`could not allocate a version of model ${name}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** What the caller needs from a model; anything else in the schema may differ. */
export interface ModelExpectation {
  kind?: ModelKind;
  /** the metrics the caller will feed, any order */
  metrics?: readonly string[];
  window?: number;
}

const list = (xs: readonly string[]) => `[${xs.join(', ')}]`;

/** Every way the meta disagrees with the network, the code's feature pipeline or the caller. */
export function schemaDifferences(
  meta: ModelMeta,
  net: tf.LayersModel | null,
  expect: ModelExpectation = {},
): string[] {
  const d: string[] = [];
  const f = meta.features;
  const M = f.metrics.length;
  if (f.version !== FEATURE_PIPELINE_VERSION)
    d.push(
      `feature pipeline version: the model was made by version ${f.version}, this faultline has ${FEATURE_PIPELINE_VERSION}`,
    );
  if (new Set(f.metrics).size !== M) d.push(`metrics: duplicates in ${list(f.metrics)}`);
  if (f.scaler.center.length !== M || f.scaler.scale.length !== M)
    d.push(
      `scaler: ${f.scaler.center.length} centers and ${f.scaler.scale.length} scales for ${M} metrics ${list(f.metrics)}`,
    );
  const D = inputSize(f);
  if (net) {
    const inShape = net.inputs[0]?.shape ?? [];
    const inD = inShape[inShape.length - 1];
    if (inD !== D)
      d.push(
        `input size: the network takes ${inD} features, the feature schema gives ${D} (window ${f.window} × ${M} metrics + ${M} missing-value masks)`,
      );
    const outShape = net.outputs[0]?.shape ?? [];
    const outD = outShape[outShape.length - 1];
    const wantOut =
      meta.kind === 'autoencoder' ? D : meta.kind === 'forecaster' ? 2 * meta.forecast.steps * M : meta.classes.length;
    if (outD !== wantOut)
      d.push(
        meta.kind === 'autoencoder'
          ? `output size: the autoencoder reconstructs ${outD} features, the feature schema gives ${D}`
          : meta.kind === 'forecaster'
            ? `output size: the network has ${outD} outputs, ${meta.forecast.steps} steps × ${M} metrics need ${wantOut} (mean and sigma)`
            : `output size: the network has ${outD} outputs for ${meta.classes.length} fault types ${list(meta.classes)}`,
      );
  }
  if (meta.kind === 'forecaster' && meta.forecast.sigmaScale.length !== meta.forecast.steps * M)
    d.push(`forecast: ${meta.forecast.sigmaScale.length} band factors for ${meta.forecast.steps} steps × ${M} metrics`);
  if (meta.kind === 'predictor' && meta.calibration.length !== meta.classes.length)
    d.push(`calibration: ${meta.calibration.length} entries for ${meta.classes.length} fault types`);
  if (expect.kind !== undefined && expect.kind !== meta.kind)
    d.push(`kind: the model is a ${meta.kind}, expected a ${expect.kind}`);
  if (expect.window !== undefined && expect.window !== f.window)
    d.push(`window: the model reads ${f.window} rows, expected ${expect.window}`);
  if (expect.metrics) {
    const want = new Set(expect.metrics);
    const have = new Set(f.metrics);
    const missing = f.metrics.filter((m) => !want.has(m));
    const extra = [...want].filter((m) => !have.has(m));
    if (missing.length > 0 || extra.length > 0) {
      const parts = [
        missing.length > 0 ? `the model needs ${list(missing)} which the data lacks` : '',
        extra.length > 0 ? `the data has ${list(extra)} which the model does not know` : '',
      ].filter(Boolean);
      d.push(`metrics: model ${list(f.metrics)}, data ${list([...want].sort())}: ${parts.join('; ')}`);
    }
  }
  return d;
}

async function readChecked(dir: string, file: string, meta: ModelMeta): Promise<Buffer> {
  const want = meta.files[file];
  if (!want) throw new ModelIntegrityError(dir, META_FILE, `no sha256 recorded for ${file}`);
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, file));
  } catch (err) {
    throw new ModelIntegrityError(dir, file, `cannot be read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const got = sha256(bytes);
  if (got !== want)
    throw new ModelIntegrityError(dir, file, `sha256 mismatch: meta.json records ${want}, the file has ${got}`);
  return bytes;
}

/** Read and validate a version's meta.json. */
export async function readMeta(dir: string): Promise<ModelMeta> {
  let text: string;
  try {
    text = await readFile(join(dir, META_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelNotFoundError(`model ${dir}: no ${META_FILE}`);
    throw new ModelIntegrityError(dir, META_FILE, `cannot be read: ${code ?? String(err)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelIntegrityError(dir, META_FILE, `invalid JSON: ${(err as Error).message}`);
  }
  const r = ModelMeta.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ModelIntegrityError(dir, META_FILE, `${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return r.data;
}

export interface LoadedVersion {
  name: string;
  version: number;
  dir: string;
  meta: ModelMeta;
  model: TrainedModel;
}

/**
 * Load a version ('latest' by default: the version `promoted.json` pins, else the newest): checks every file's sha256, the meta, and the feature schema
 * against the network, this code's feature pipeline and `expect`. Any problem is a typed error
 * (ModelNotFoundError, ModelIntegrityError, ModelSchemaError) naming it; nothing is left allocated.
 */
export async function loadModel(
  root: string,
  name: string,
  version: number | 'latest' = 'latest',
  expect: ModelExpectation = {},
): Promise<LoadedVersion> {
  checkName(name);
  let v = version;
  if (v === 'latest') v = (await promotedVersion(root, name)) ?? 'latest';
  if (v === 'latest') {
    const versions = await listVersions(root, name);
    if (versions.length === 0) throw new ModelNotFoundError(`no model named ${JSON.stringify(name)} in ${root}`);
    v = versions[versions.length - 1] as number;
  }
  const dir = versionDir(root, name, v);
  const meta = await readMeta(dir);
  if (meta.name !== name || meta.version !== v)
    throw new ModelIntegrityError(
      dir,
      META_FILE,
      `describes ${meta.name} version ${meta.version}, not ${name} version ${v}`,
    );
  const modelJson = await readChecked(dir, MODEL_FILE, meta);
  const weights = await readChecked(dir, WEIGHTS_FILE, meta);
  try {
    parseModelJson(modelJson);
  } catch (err) {
    throw new ModelIntegrityError(dir, MODEL_FILE, (err as Error).message);
  }
  const early = schemaDifferences(meta, null, expect);
  if (early.length > 0) throw new ModelSchemaError(dir, early);
  let net: tf.LayersModel;
  try {
    net = await modelFromFiles(modelJson, weights);
  } catch (err) {
    throw new ModelIntegrityError(dir, MODEL_FILE, `tfjs cannot load it: ${(err as Error).message}`);
  }
  const diffs = schemaDifferences(meta, net, expect);
  if (diffs.length > 0) {
    net.dispose();
    throw new ModelSchemaError(dir, diffs);
  }
  return { name, version: v, dir, meta, model: wrapModel(net, meta) };
}
