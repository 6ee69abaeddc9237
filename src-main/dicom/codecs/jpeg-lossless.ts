import { createRequire } from 'node:module';

interface LosslessDecoder {
  decode(
    buffer: ArrayBufferLike,
    offset: number,
    length: number,
    numBytes: number,
  ): Uint8Array | Uint16Array | Int16Array;
}
type LosslessModule = { Decoder: new () => LosslessDecoder };

const lossless = createRequire(import.meta.url)('jpeg-lossless-decoder-js') as LosslessModule;

/**
 * Decodes a JPEG lossless codestream (process 14, any predictor; 14 SV1 is
 * predictor 1) with jpeg-lossless-decoder-js. Returns its samples as little
 * endian bytes, `bytesPerSample` per sample, interleaved for colour.
 */
export function decodeJpegLossless(encoded: Uint8Array, bytesPerSample: 1 | 2): Uint8Array {
  const decoder = new lossless.Decoder();
  const own = new Uint8Array(encoded); // a copy that owns its whole ArrayBuffer (Buffer#slice would not)
  const out = decoder.decode(own.buffer, 0, own.length, bytesPerSample);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
