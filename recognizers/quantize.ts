/**
 * Compact weights for model files: int8 with one float32 scale per row (symmetric, per-row
 * max-abs). The big matrices (the linear model's and the MLPs' input weights, the tagger's
 * feature weights) are stored this way, a quarter of float32; the model keeps float32 in memory.
 *
 * A trained model is quantised in place before it is used or saved (`roundTripInt8Rows`), so
 * the recognizer that answers after training is exactly the one a model file gives back.
 */

/** How a model file stores its weight matrices. */
export type WeightPrecision = 'float32' | 'int8';

export const WEIGHT_PRECISIONS: readonly WeightPrecision[] = ['float32', 'int8'];

/**
 * int8: measured on every benchmark dev split, the accuracy change is at most 0.1 point
 * (docs/nlu.md, "Model files"), and the clinc150 file is a quarter of the float32 one.
 */
export const DEFAULT_WEIGHT_PRECISION: WeightPrecision = 'int8';

/** An int8 matrix in a model file: `rows x cols` values, one float32 scale per row (base64). */
export interface Int8Rows {
  $q8: string;
  scales: string;
  cols: number;
}

export function isInt8Rows(value: unknown): value is Int8Rows {
  return value !== null && typeof value === 'object' && typeof (value as Int8Rows).$q8 === 'string' && typeof (value as Int8Rows).scales === 'string';
}

function rowScale(values: Float32Array, start: number, cols: number): number {
  let max = 0;
  for (let j = 0; j < cols; j++) {
    const a = Math.abs(values[start + j] as number);
    if (a > max) max = a;
  }
  return max / 127;
}

/** Quantises a row-major matrix to int8 rows (the values must divide into rows of `cols`). */
export function quantizeRows(values: Float32Array, cols: number): Int8Rows {
  if (cols <= 0 || values.length % cols !== 0) throw new Error(`cannot quantise ${values.length} values into rows of ${cols}`);
  const rows = values.length / cols;
  const q = new Int8Array(values.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const scale = Math.fround(rowScale(values, start, cols));
    scales[r] = scale;
    if (scale === 0) continue;
    const inv = 1 / scale;
    for (let j = 0; j < cols; j++) q[start + j] = Math.round((values[start + j] as number) * inv);
  }
  return {
    $q8: Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64'),
    scales: Buffer.from(scales.buffer, scales.byteOffset, scales.byteLength).toString('base64'),
    cols,
  };
}

/** The float32 values of an int8 matrix; throws on sizes that do not match. */
export function dequantizeRows(m: Int8Rows): Float32Array {
  const qBytes = Buffer.from(m.$q8, 'base64');
  const scaleBytes = Buffer.from(m.scales, 'base64');
  const cols = m.cols;
  if (!Number.isInteger(cols) || cols <= 0 || scaleBytes.byteLength % 4 !== 0 || qBytes.byteLength !== (scaleBytes.byteLength / 4) * cols) {
    throw new Error('int8 weight matrix: sizes do not match');
  }
  const q = new Int8Array(qBytes.buffer, qBytes.byteOffset, qBytes.byteLength);
  // Copy the scales: a Buffer's offset need not be 4-aligned.
  const scales = new Float32Array(new Uint8Array(scaleBytes).buffer);
  const out = new Float32Array(q.length);
  for (let r = 0; r < scales.length; r++) {
    const s = scales[r] as number;
    const start = r * cols;
    for (let j = 0; j < cols; j++) out[start + j] = (q[start + j] as number) * s;
  }
  return out;
}

/**
 * Replaces each value of a row-major matrix by its int8 approximation, in place (what a model
 * file stores and gives back). Idempotent: a matrix already rounded this way does not change.
 */
export function roundTripInt8Rows(values: Float32Array, cols: number): void {
  if (cols <= 0 || values.length % cols !== 0) throw new Error(`cannot quantise ${values.length} values into rows of ${cols}`);
  for (let start = 0; start < values.length; start += cols) {
    const scale = Math.fround(rowScale(values, start, cols));
    if (scale === 0) continue;
    const inv = 1 / scale;
    for (let j = 0; j < cols; j++) values[start + j] = Math.round((values[start + j] as number) * inv) * scale;
  }
}
