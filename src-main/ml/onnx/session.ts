/**
 * A thin layer over onnxruntime-node: pick the fastest execution provider that
 * this machine really has (CUDA, DirectML, CoreML, else CPU), remember which
 * one runs and with which threads (every scoring run records them), and run
 * float32 tensors in and out.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { NormscopeError } from '../../api/errors';

export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'cpu';

/** Tried in this order; CPU always works. */
export const PREFERRED_PROVIDERS: readonly ProviderName[] = ['cuda', 'dml', 'coreml', 'cpu'];

export interface SessionSettings {
  /** Providers to try, in order; those this build of ONNX Runtime lacks are skipped. Default PREFERRED_PROVIDERS. */
  providers?: readonly ProviderName[];
  /** Threads inside one operator; 0 lets ONNX Runtime choose (one per core). */
  intraOpThreads?: number;
  /** Threads across independent operators; 0 lets ONNX Runtime choose. */
  interOpThreads?: number;
}

export interface OnnxSession {
  readonly session: ort.InferenceSession;
  /** The provider the session was created with (the first that loaded). */
  readonly provider: ProviderName;
  readonly intraOpThreads: number;
  readonly interOpThreads: number;
  readonly ortVersion: string;
}

/** A float32 tensor: row-major data and its shape. */
export interface FloatTensor {
  data: Float32Array;
  dims: readonly number[];
}

/** onnxruntime-node's version, e.g. "1.30.0". */
export function onnxRuntimeVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/**
 * The providers of `wanted` that this onnxruntime-node build can offer, in the
 * same order. A provider the package lists but does not bundle (CUDA, whose
 * libraries are installed separately) counts only when its library sits next
 * to the native binding; whether it then loads is found out by trying.
 */
export function availableProviders(
  wanted: readonly ProviderName[] = PREFERRED_PROVIDERS,
): ProviderName[] {
  const listed = new Map(
    ort.listSupportedBackends().map((backend) => [backend.name, backend.bundled]),
  );
  return wanted.filter(
    (name) =>
      name === 'cpu' ||
      listed.get(name) === true ||
      (listed.has(name) && providerLibraryInstalled(name)),
  );
}

function providerLibraryInstalled(name: ProviderName): boolean {
  const packageEntry = createRequire(import.meta.url).resolve('onnxruntime-node');
  const bindingDir = join(
    dirname(packageEntry),
    '..',
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  if (!existsSync(bindingDir)) return false;
  return readdirSync(bindingDir).some((file) => file.includes(`onnxruntime_providers_${name}`));
}

/**
 * Creates a session from the bytes of an .onnx file or its path, trying each
 * available provider in turn and falling back to CPU.
 * Throws NormscopeError('Unavailable') when no provider can load the model.
 */
export async function createSession(
  model: Uint8Array | string,
  settings: SessionSettings = {},
): Promise<OnnxSession> {
  const intraOpThreads = settings.intraOpThreads ?? 0;
  const interOpThreads = settings.interOpThreads ?? 0;
  const candidates = availableProviders(settings.providers ?? PREFERRED_PROVIDERS);
  if (!candidates.includes('cpu')) candidates.push('cpu');
  const failures: string[] = [];
  for (const provider of candidates) {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
      intraOpNumThreads: intraOpThreads,
      interOpNumThreads: interOpThreads,
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
    };
    try {
      const session =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, options)
          : await ort.InferenceSession.create(model, options);
      return {
        session,
        provider,
        intraOpThreads,
        interOpThreads,
        ortVersion: onnxRuntimeVersion(),
      };
    } catch (err) {
      failures.push(`${provider}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const what = typeof model === 'string' ? model : `a model of ${model.byteLength} bytes`;
  throw new NormscopeError(
    'Unavailable',
    `ONNX Runtime could not load ${what} (${failures.join('; ')})`,
  );
}

/** Runs the session on float32 inputs and returns its float32 outputs by name. */
export async function runFloat32(
  session: OnnxSession,
  feeds: Record<string, FloatTensor>,
): Promise<Record<string, FloatTensor>> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(feeds))
    ortFeeds[name] = new ort.Tensor('float32', tensor.data, tensor.dims);
  const results = await session.session.run(ortFeeds);
  const out: Record<string, FloatTensor> = {};
  for (const [name, value] of Object.entries(results)) {
    if (value.type !== 'float32') {
      throw new NormscopeError('Internal', `output ${name} is ${value.type}, expected float32`);
    }
    out[name] = { data: value.data as Float32Array, dims: value.dims };
  }
  return out;
}

/** Releases the native session. */
export async function closeSession(session: OnnxSession): Promise<void> {
  await session.session.release();
}
