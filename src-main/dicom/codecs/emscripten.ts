import { createRequire } from 'node:module';

/** Shape of the Cornerstone codec decoders (emscripten + embind classes). */
interface EmscriptenDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
type DecoderClass = new () => EmscriptenDecoder;
type CodecModule = Record<string, unknown>;

export type WasmCodec = 'jpeg-ls' | 'jpeg-baseline' | 'jpeg2000' | 'htj2k';

const CODECS: Record<WasmCodec, { packagePath: string; decoderClass: string; packageName: string }> = {
  'jpeg-ls': { packageName: '@cornerstonejs/codec-charls', packagePath: '@cornerstonejs/codec-charls/decodewasmjs', decoderClass: 'JpegLSDecoder' },
  'jpeg-baseline': {
    packageName: '@cornerstonejs/codec-libjpeg-turbo-8bit',
    packagePath: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
    decoderClass: 'JPEGDecoder',
  },
  jpeg2000: { packageName: '@cornerstonejs/codec-openjpeg', packagePath: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoderClass: 'J2KDecoder' },
  htj2k: { packageName: '@cornerstonejs/codec-openjph', packagePath: '@cornerstonejs/codec-openjph/wasmjs', decoderClass: 'HTJ2KDecoder' },
};

const require = createRequire(import.meta.url);
const loaded = new Map<WasmCodec, Promise<DecoderClass>>();

/** Loads a codec's WASM module once, on first use; a failed load is retried next time. */
function loadDecoderClass(codec: WasmCodec): Promise<DecoderClass> {
  let pending = loaded.get(codec);
  if (!pending) {
    const spec = CODECS[codec];
    pending = (async () => {
      const factory = require(spec.packagePath) as (options: object) => Promise<CodecModule>;
      // the codecs print progress on stdout; a CLI's --json output must stay clean
      const module = await factory({ print: () => undefined, printErr: () => undefined });
      const decoder = module[spec.decoderClass];
      if (typeof decoder !== 'function') throw new Error(`${spec.packageName} has no ${spec.decoderClass}`);
      return decoder as DecoderClass;
    })();
    pending.catch(() => loaded.delete(codec));
    loaded.set(codec, pending);
  }
  return pending;
}

/** A decoded codestream as the codec returns it: samples interleaved, 1 byte per sample up to 8 bits, else 2. */
export interface CodecOutput {
  bytes: Uint8Array;
  width: number;
  height: number;
  components: number;
  bitsPerSample: number;
  signed: boolean;
}

/**
 * Decodes one codestream with a Cornerstone WASM codec. The output is copied
 * out of WASM memory before the decoder is freed. Throws a plain Error with
 * the codec's message; the caller names the file.
 */
export async function decodeWithWasmCodec(codec: WasmCodec, encoded: Uint8Array): Promise<CodecOutput> {
  const Decoder = await loadDecoderClass(codec);
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return {
      bytes: decoder.getDecodedBuffer().slice(),
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      signed: info.isSigned ?? false,
    };
  } catch (thrown) {
    // emscripten throws numbers (pointers) or strings for C++ exceptions
    throw thrown instanceof Error ? thrown : new Error(`${CODECS[codec].packageName} failed to decode (${String(thrown)})`);
  } finally {
    decoder.delete();
  }
}
