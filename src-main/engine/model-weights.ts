/**
 * The weights file of a model version: the parameters of each AR model in
 * order (the main model, then its flipped partner when there is one), each
 * flattened as flattenArWeights does (layer by layer, weight then bias),
 * float32 little-endian, nothing else. The configs live in the database row,
 * so the file's length is checked against them when it is read.
 */
import { NormscopeError } from '../api/errors';
import type { ArConfig } from '../ml/ar/config';
import { arParameterCount, flattenArWeights, unflattenArWeights } from '../ml/ar/weights';
import type { ArWeights } from '../ml/ar/weights';

/** The bytes of the weights file for `models` (configs and weights in the same order). */
export function encodeModelWeights(
  models: ReadonlyArray<{ config: ArConfig; weights: ArWeights }>,
): Uint8Array {
  const total = models.reduce((sum, m) => sum + arParameterCount(m.config), 0);
  const flat = new Float32Array(total);
  let offset = 0;
  for (const { config, weights } of models) {
    const part = flattenArWeights(config, weights);
    flat.set(part, offset);
    offset += part.length;
  }
  return new Uint8Array(flat.buffer);
}

/** Inverse of encodeModelWeights; throws InvalidRequest when the length does not fit `configs`. */
export function decodeModelWeights(configs: readonly ArConfig[], bytes: Uint8Array): ArWeights[] {
  const counts = configs.map(arParameterCount);
  const total = counts.reduce((a, b) => a + b, 0);
  if (bytes.byteLength !== total * 4) {
    throw new NormscopeError(
      'InvalidRequest',
      `AR weights file has ${bytes.byteLength} bytes; the model's configs need ${total} float32 values (${total * 4} bytes)`,
    );
  }
  // a copy: the file's bytes need not be 4-byte aligned
  const flat = new Float32Array(total);
  new Uint8Array(flat.buffer).set(bytes);
  let offset = 0;
  return configs.map((config, index) => {
    const weights = unflattenArWeights(config, flat.subarray(offset, offset + counts[index]!));
    offset += counts[index]!;
    return weights;
  });
}
