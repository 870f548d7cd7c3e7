import * as tf from '@tensorflow/tfjs';

/** Rows per inference chunk: large enough to amortise per-call overhead, small enough for wasm memory. */
export const INFER_CHUNK = 4096;

/**
 * Run `graph` over an n × D matrix in chunks and read the results back: `graph` maps a chunk's input
 * tensor to an n_chunk × width tensor. Uses `model.apply` inside `tf.tidy` rather than
 * `model.predict(x, {batchSize})`, whose slicing and concatenation cost several times the maths on
 * wasm. Every intermediate tensor is disposed.
 */
export function inferChunked(
  x: Float32Array,
  n: number,
  D: number,
  width: number,
  graph: (input: tf.Tensor2D) => tf.Tensor,
): Float32Array {
  const out = new Float32Array(n * width);
  for (let s = 0; s < n; s += INFER_CHUNK) {
    const m = Math.min(INFER_CHUNK, n - s);
    const data = tf.tidy(() => graph(tf.tensor2d(x.subarray(s * D, (s + m) * D), [m, D])).dataSync());
    out.set(data as Float32Array, s * width);
  }
  return out;
}
