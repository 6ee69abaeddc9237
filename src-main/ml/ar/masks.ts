/**
 * Spatial kernel masks of the AR model: which taps of each layer's kernel may
 * be non-zero. The same [kernel, kernel] mask applies to every (out, in)
 * channel pair. Graph building multiplies the weights by these masks, and
 * training re-applies them after every update so masked taps stay zero.
 */
import type { ArConfig } from './config';

/**
 * The mask of layer `layer` as a row-major [kernel, kernel] array of 0/1.
 * - bidirectional: layer 0 has its centre tap zeroed; later layers are full.
 * - causal (PixelCNN, raster order): layer 0 is type A (centre and every later
 *   tap zeroed), later layers type B (only later taps zeroed).
 * - standard: all ones.
 */
export function layerMask(config: ArConfig, layer: number): Float32Array {
  const k = config.kernel;
  const c = (k - 1) / 2;
  const mask = new Float32Array(k * k).fill(1);
  if (config.mode === 'bidirectional' && layer === 0) mask[c * k + c] = 0;
  if (config.mode === 'causal') {
    const firstBlocked = layer === 0 ? c * k + c : c * k + c + 1; // raster index of the first blocked tap
    mask.fill(0, firstBlocked);
  }
  return mask;
}

/** Every layer's mask, in layer order. */
export function arMasks(config: ArConfig): Float32Array[] {
  return Array.from({ length: config.layers }, (_, layer) => layerMask(config, layer));
}
