import { Inflate } from 'fflate';

/** Input is fed in slices this big, so one push can grow the output by at most ~1032x of it. */
const INPUT_SLICE_BYTES = 16 * 1024;

/**
 * Inflates a raw deflate stream (RFC 1951, as in PS3.5 A.5) and stops as soon
 * as the output passes `maxOutputBytes`, so a deflate bomb costs at most the
 * cap plus one slice's worth of output instead of all memory.
 * Throws an Error naming the cap; the caller adds the file's context.
 */
export function inflateRawCapped(input: Uint8Array, maxOutputBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let finished = false;
  const inflater = new Inflate((chunk, final) => {
    chunks.push(chunk);
    total += chunk.length;
    if (final) finished = true;
  });
  for (let offset = 0; offset < input.length && !finished; offset += INPUT_SLICE_BYTES) {
    const end = Math.min(offset + INPUT_SLICE_BYTES, input.length);
    inflater.push(input.subarray(offset, end), end === input.length);
    if (total > maxOutputBytes) {
      throw new Error(`deflated dataset inflates beyond the cap of ${maxOutputBytes} bytes`);
    }
  }
  if (!finished) throw new Error('deflated dataset ends before the end of its deflate stream');
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
