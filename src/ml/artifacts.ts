import * as tf from '@tensorflow/tfjs';

/** The two files of a Layers model, as bytes. */
export interface ModelFiles {
  /** standard tfjs `model.json` (topology + weights manifest pointing at weights.bin) */
  modelJson: Buffer;
  weights: Buffer;
}

export const WEIGHTS_FILE = 'weights.bin';

/**
 * Serialise a model to bytes with `tf.io.withSaveHandler` (plain tfjs in Node has no file://
 * handler). The training config is dropped: a loaded model is for inference.
 */
export async function modelToFiles(model: tf.LayersModel): Promise<ModelFiles> {
  let files: ModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const data = a.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(a.weightData);
      const json = {
        format: a.format ?? 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs ?? [] }],
      };
      files = { modelJson: Buffer.from(JSON.stringify(json)), weights: Buffer.from(data) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!files) throw new Error('the model save handler was not called');
  return files;
}

interface ModelJson {
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Parse model.json; throws a plain Error describing what is wrong (callers add the file name). */
export function parseModelJson(bytes: Buffer): ModelJson {
  const j = JSON.parse(bytes.toString('utf8')) as Partial<ModelJson>;
  if (typeof j.modelTopology !== 'object' || j.modelTopology === null) throw new Error('no modelTopology');
  if (!Array.isArray(j.weightsManifest) || j.weightsManifest.length !== 1)
    throw new Error('expected one weightsManifest group');
  const g = j.weightsManifest[0];
  if (g?.paths.length !== 1 || g.paths[0] !== WEIGHTS_FILE)
    throw new Error(`the weights manifest must point at ${WEIGHTS_FILE}`);
  return j as ModelJson;
}

/** Bytes needed by the manifest's weights (float32/int32: 4 bytes per value). */
export function manifestBytes(m: ModelJson): number {
  let n = 0;
  for (const w of m.weightsManifest[0]?.weights ?? []) n += 4 * w.shape.reduce((a, b) => a * b, 1);
  return n;
}

/** Load a model from its two files with `tf.io.fromMemory`. */
export async function modelFromFiles(modelJson: Buffer, weights: Buffer): Promise<tf.LayersModel> {
  const j = parseModelJson(modelJson);
  const data = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: j.modelTopology, weightSpecs: j.weightsManifest[0]?.weights, weightData: data }),
  );
}
