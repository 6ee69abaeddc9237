/**
 * DICOM RLE Lossless decoder (PS3.5 Annex G). A frame is a 64-byte header
 * (segment count, then 15 little-endian uint32 segment offsets) followed by
 * PackBits-coded segments, one per byte of each sample: for 16-bit samples
 * segment 0 holds the most significant bytes, segment 1 the least (G.2).
 */

/** Decodes one PackBits segment (G.3.1) into exactly `out.length` bytes; throws if the segment is short. */
function decodeSegment(encoded: Uint8Array, out: Uint8Array): void {
  let at = 0;
  let written = 0;
  while (written < out.length) {
    if (at >= encoded.length)
      throw new Error(`RLE segment ends after ${written} of ${out.length} bytes`);
    const n = (encoded[at++]! << 24) >> 24;
    if (n >= 0) {
      const count = n + 1;
      if (at + count > encoded.length)
        throw new Error('RLE literal run extends beyond its segment');
      const take = Math.min(count, out.length - written);
      out.set(encoded.subarray(at, at + take), written);
      written += take;
      at += count;
    } else if (n !== -128) {
      if (at >= encoded.length) throw new Error('RLE replicate run has no byte to repeat');
      const take = Math.min(1 - n, out.length - written);
      out.fill(encoded[at++]!, written, written + take);
      written += take;
    }
  }
}

/**
 * Decodes one RLE frame into per-sample byte planes.
 * Returns `samplesPerPixel * bytesPerSample` planes of `pixels` bytes each, in segment order.
 */
export function decodeRleFrame(
  encoded: Uint8Array,
  pixels: number,
  samplesPerPixel: number,
  bytesPerSample: number,
): Uint8Array[] {
  if (encoded.length < 64) throw new Error('RLE frame is shorter than its 64-byte header');
  const view = new DataView(encoded.buffer, encoded.byteOffset, 64);
  const segments = view.getUint32(0, true);
  const expected = samplesPerPixel * bytesPerSample;
  if (segments !== expected)
    throw new Error(`RLE header declares ${segments} segments, the image needs ${expected}`);
  const offsets: number[] = [];
  for (let i = 0; i < segments; i++) offsets.push(view.getUint32(4 + 4 * i, true));
  const planes: Uint8Array[] = [];
  for (let i = 0; i < segments; i++) {
    const start = offsets[i]!;
    const end = i + 1 < segments ? offsets[i + 1]! : encoded.length;
    if (start < 64 || end > encoded.length || end < start)
      throw new Error(`RLE segment ${i} offset ${start} is out of range`);
    const plane = new Uint8Array(pixels);
    decodeSegment(encoded.subarray(start, end), plane);
    planes.push(plane);
  }
  return planes;
}
