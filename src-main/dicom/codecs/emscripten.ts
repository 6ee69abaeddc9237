import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export type WasmCodec = 'jpeg-ls' | 'jpeg-baseline' | 'jpeg2000' | 'htj2k';

/** Cornerstone's emscripten codec builds and their embind decoder classes. */
const CODECS: Record<WasmCodec, { packagePath: string; decoderClass: string }> = {
  'jpeg-ls': {
    packagePath: '@cornerstonejs/codec-charls/decodewasmjs',
    decoderClass: 'JpegLSDecoder',
  },
  'jpeg-baseline': {
    packagePath: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
    decoderClass: 'JPEGDecoder',
  },
  jpeg2000: {
    packagePath: '@cornerstonejs/codec-openjpeg/decodewasmjs',
    decoderClass: 'J2KDecoder',
  },
  htj2k: { packagePath: '@cornerstonejs/codec-openjph/wasmjs', decoderClass: 'HTJ2KDecoder' },
};

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
function decoderClass(codec) {
  let pending = loaded.get(codec);
  if (!pending) {
    const spec = workerData.codecs[codec];
    pending = require(spec.resolved)({ print: () => undefined, printErr: () => undefined }).then((m) => m[spec.decoderClass]);
    loaded.set(codec, pending);
  }
  return pending;
}
parentPort.on('message', async ({ codec, bytes }) => {
  try {
    const Decoder = await decoderClass(codec);
    const decoder = new Decoder();
    try {
      decoder.getEncodedBuffer(bytes.length).set(bytes);
      decoder.decode();
      const info = decoder.getFrameInfo();
      const out = decoder.getDecodedBuffer().slice();
      parentPort.postMessage({ ok: true, output: { bytes: out, width: info.width, height: info.height,
        components: info.componentCount, bitsPerSample: info.bitsPerSample, signed: !!info.isSigned } }, [out.buffer]);
    } finally {
      try { decoder.delete(); } catch {}
    }
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
  timeoutMs: number;
  resolve: (output: CodecOutput) => void;
  reject: (error: Error) => void;
}

// not named `require`: the electron-vite bundle declares its own `require` shim in the same scope
const requireFromHere = createRequire(import.meta.url);
const resolvedCodecs = Object.fromEntries(
  Object.entries(CODECS).map(([codec, spec]) => [
    codec,
    { resolved: requireFromHere.resolve(spec.packagePath), decoderClass: spec.decoderClass },
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
  worker.postMessage({ codec: job.codec, bytes: job.bytes }, [job.bytes.buffer as ArrayBuffer]);
}

/**
 * Decodes one codestream with a Cornerstone WASM codec in a worker thread,
 * one codestream at a time. A decode that outlives `timeoutMs` stops the
 * worker (a fresh one takes the next job) and rejects. Rejects with a plain
 * Error carrying the codec's message; the caller names the file.
 */
export function decodeWithWasmCodec(
  codec: WasmCodec,
  encoded: Uint8Array,
  timeoutMs = DEFAULT_CODEC_TIMEOUT_MS,
): Promise<CodecOutput> {
  return new Promise((resolve, reject) => {
    queue.push({ codec, bytes: encoded.slice(), timeoutMs, resolve, reject });
    if (!running) runNext();
  });
}
