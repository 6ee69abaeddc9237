import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type WasmCodec = 'jpeg-ls' | 'jpeg-baseline' | 'jpeg-12bit' | 'jpeg2000' | 'htj2k';

/**
 * The emscripten codec builds. Cornerstone's codecs expose embind decoder
 * classes. 12-bit lossy JPEG (process 4) has no Cornerstone build; it goes to
 * DCMTK's IJG 12-bit library as compiled by dcmjs-codecs (the decoder dcmdjpeg
 * itself uses), which decodes a frame described by a Context.
 */
type CodecSpec =
  | { api: 'cornerstone'; packagePath: string; decoderClass: string }
  | { api: 'dcmjs-codecs'; packagePath: string };

const CODECS: Record<WasmCodec, CodecSpec> = {
  'jpeg-ls': {
    api: 'cornerstone',
    packagePath: '@cornerstonejs/codec-charls/decodewasmjs',
    decoderClass: 'JpegLSDecoder',
  },
  'jpeg-baseline': {
    api: 'cornerstone',
    packagePath: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
    decoderClass: 'JPEGDecoder',
  },
  'jpeg-12bit': { api: 'dcmjs-codecs', packagePath: 'dcmjs-codecs' },
  jpeg2000: {
    api: 'cornerstone',
    packagePath: '@cornerstonejs/codec-openjpeg/decodewasmjs',
    decoderClass: 'J2KDecoder',
  },
  htj2k: {
    api: 'cornerstone',
    packagePath: '@cornerstonejs/codec-openjph/wasmjs',
    decoderClass: 'HTJ2KDecoder',
  },
};

/** What a codec needs to know beyond the codestream (only the dcmjs-codecs JPEG decoder: its Context does not read the frame header). */
export interface JpegFrameHeader {
  /** sample precision P of the SOF segment, in bits */
  precision: number;
  rows: number;
  columns: number;
  components: number;
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

/** Long enough for a large multi-megapixel JPEG 2000 frame on a slow machine. */
export const DEFAULT_CODEC_TIMEOUT_MS = 30_000;

/**
 * The worker that runs the WASM codecs. They run off the main thread because
 * a corrupt codestream can send a codec into an endless loop (seen with
 * openjph); only a worker can be stopped then. Plain CommonJS so it runs the
 * same under tsx, vitest and the built app. Each module loads once, lazily;
 * after an abort or a trap its heap may be unusable, so it is reloaded.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const loaded = new Map();
function codecModule(codec) {
  let pending = loaded.get(codec);
  if (!pending) {
    const spec = workerData.codecs[codec];
    pending = spec.api === 'dcmjs-codecs'
      ? (async () => {
          const m = require(spec.resolved);
          await m.NativeCodecs.initializeAsync();
          return m;
        })()
      : require(spec.resolved)({ print: () => undefined, printErr: () => undefined }).then((m) => m[spec.decoderClass]);
    loaded.set(codec, pending);
  }
  return pending;
}
function decodeCornerstone(Decoder, bytes) {
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
    const info = decoder.getFrameInfo();
    return { bytes: decoder.getDecodedBuffer().slice(), width: info.width, height: info.height,
      components: info.componentCount, bitsPerSample: info.bitsPerSample, signed: !!info.isSigned };
  } finally {
    try { decoder.delete(); } catch {}
  }
}
function decodeDcmjsJpeg(m, bytes, frame) {
  const context = new m.Context({ width: frame.columns, height: frame.rows, bitsAllocated: 16,
    bitsStored: frame.precision, samplesPerPixel: frame.components, pixelRepresentation: 0,
    planarConfiguration: 0, photometricInterpretation: 'MONOCHROME2', encodedBuffer: bytes });
  const decoded = m.NativeCodecs.decodeJpeg(context).getDecodedBuffer();
  const expected = frame.rows * frame.columns * frame.components * 2;
  if (decoded.length !== expected)
    throw new Error('the JPEG decoder returned ' + decoded.length + ' bytes for a ' + frame.columns + ' x ' + frame.rows + ' frame header (' + expected + ' expected)');
  return { bytes: decoded.slice(), width: frame.columns, height: frame.rows,
    components: frame.components, bitsPerSample: 16, signed: false };
}
parentPort.on('message', async ({ codec, bytes, frame }) => {
  try {
    const m = await codecModule(codec);
    const output = workerData.codecs[codec].api === 'dcmjs-codecs'
      ? decodeDcmjsJpeg(m, bytes, frame)
      : decodeCornerstone(m, bytes);
    parentPort.postMessage({ ok: true, output }, [output.bytes.buffer]);
  } catch (e) {
    const message = e instanceof Error ? e.message : 'codec error ' + String(e);
    if (e instanceof WebAssembly.RuntimeError || /abort/i.test(message)) loaded.delete(codec);
    parentPort.postMessage({ ok: false, message });
  }
});
`;

type Reply = { ok: true; output: CodecOutput } | { ok: false; message: string };
interface Job {
  codec: WasmCodec;
  bytes: Uint8Array;
  frame?: JpegFrameHeader;
  timeoutMs: number;
  resolve: (output: CodecOutput) => void;
  reject: (error: Error) => void;
}

// not named `require`: the electron-vite bundle declares its own `require` shim in the same scope
const requireFromHere = createRequire(import.meta.url);
const resolvedCodecs = Object.fromEntries(
  Object.entries(CODECS).map(([codec, spec]) => [
    codec,
    { ...spec, resolved: requireFromHere.resolve(spec.packagePath) },
  ]),
);

let worker: Worker | undefined;
const queue: Job[] = [];
let running: { job: Job; timer: NodeJS.Timeout } | undefined;

function startWorker(): Worker {
  const started = new Worker(WORKER_SOURCE, { eval: true, workerData: { codecs: resolvedCodecs } });
  started.on('message', (reply: Reply) =>
    finish(reply.ok ? { output: reply.output } : { error: new Error(reply.message) }),
  );
  started.on('error', (err) => {
    worker = undefined;
    finish({ error: new Error(`codec worker failed: ${err.message}`) });
  });
  started.on('exit', () => {
    if (worker === started) worker = undefined;
  });
  return started;
}

function finish(result: { output: CodecOutput } | { error: Error }): void {
  const current = running;
  if (!current) return;
  clearTimeout(current.timer);
  running = undefined;
  if ('output' in result) current.job.resolve(result.output);
  else current.job.reject(result.error);
  runNext();
}

function runNext(): void {
  const job = queue.shift();
  if (!job) {
    worker?.unref(); // an idle worker must not keep the process alive
    return;
  }
  worker ??= startWorker();
  worker.ref();
  const timer = setTimeout(() => {
    const stuck = worker;
    worker = undefined;
    void stuck?.terminate();
    finish({
      error: new Error(
        `the ${job.codec} codec did not finish within ${job.timeoutMs} ms (corrupt codestream?)`,
      ),
    });
  }, job.timeoutMs);
  running = { job, timer };
  // the job owns a copy of just this frame's bytes, so it can be transferred rather than cloned
  worker.postMessage({ codec: job.codec, bytes: job.bytes, frame: job.frame }, [
    job.bytes.buffer as ArrayBuffer,
  ]);
}

/**
 * Decodes one codestream with a WASM codec in a worker thread, one codestream
 * at a time. A decode that outlives `timeoutMs` stops the worker (a fresh one
 * takes the next job) and rejects. Rejects with a plain Error carrying the
 * codec's message; the caller names the file. 'jpeg-12bit' needs `frame`, the
 * codestream's own frame header.
 */
export function decodeWithWasmCodec(
  codec: WasmCodec,
  encoded: Uint8Array,
  options: { timeoutMs?: number; frame?: JpegFrameHeader } = {},
): Promise<CodecOutput> {
  if (CODECS[codec].api === 'dcmjs-codecs' && !options.frame)
    return Promise.reject(new Error(`the ${codec} codec needs the codestream's frame header`));
  return new Promise((resolve, reject) => {
    queue.push({
      codec,
      bytes: encoded.slice(),
      frame: options.frame,
      timeoutMs: options.timeoutMs ?? DEFAULT_CODEC_TIMEOUT_MS,
      resolve,
      reject,
    });
    if (!running) runNext();
  });
}
