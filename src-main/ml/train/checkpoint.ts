/**
 * A training checkpoint as one file, so a job killed mid-run resumes from disk:
 * "NSTC1\n", a uint32 (little-endian) header length, a UTF-8 JSON header
 * (config, recipe, counters, curves), then weights, Adam m and Adam v, each
 * flattened as flattenArWeights does (float32, little-endian).
 */
import { NormscopeError } from '../../api/errors';
import { ArConfigSchema } from '../ar/config';
import { arParameterCount, flattenArWeights, unflattenArWeights } from '../ar/weights';
import { TrainRecipeSchema } from './recipe';
import type { TrainCheckpoint, TrainCurves } from './trainer';

const MAGIC = 'NSTC1\n';

/** The bytes of `state`. */
export function encodeTrainCheckpoint(state: TrainCheckpoint): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({
      config: state.config,
      recipe: state.recipe,
      trainCount: state.trainCount,
      epochsDone: state.epochsDone,
      step: state.step,
      curves: state.curves,
    }),
  );
  const magic = new TextEncoder().encode(MAGIC);
  const count = arParameterCount(state.config);
  const bodyOffset = magic.length + 4 + header.length;
  const bytes = new Uint8Array(bodyOffset + 3 * count * 4);
  bytes.set(magic, 0);
  new DataView(bytes.buffer).setUint32(magic.length, header.length, true);
  bytes.set(header, magic.length + 4);
  [state.weights, state.m, state.v].forEach((weights, k) => {
    const flat = flattenArWeights(state.config, weights);
    bytes.set(
      new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength),
      bodyOffset + k * count * 4,
    );
  });
  return bytes;
}

/** Parses the bytes of encodeTrainCheckpoint; throws NormscopeError('InvalidRequest') on anything else. */
export function decodeTrainCheckpoint(bytes: Uint8Array): TrainCheckpoint {
  const magic = new TextEncoder().encode(MAGIC);
  const fail = (why: string): never => {
    throw new NormscopeError('InvalidRequest', `not a Normscope training checkpoint: ${why}`);
  };
  if (bytes.length < magic.length + 4 || !magic.every((b, i) => bytes[i] === b))
    fail('wrong magic');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(
    magic.length,
    true,
  );
  const bodyOffset = magic.length + 4 + headerLength;
  if (bodyOffset > bytes.length) fail('truncated header');
  let header: {
    config: unknown;
    recipe: unknown;
    trainCount: number;
    epochsDone: number;
    step: number;
    curves: TrainCurves;
  };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(magic.length + 4, bodyOffset)));
  } catch (err) {
    return fail(`unreadable header (${err instanceof Error ? err.message : String(err)})`);
  }
  const parsedConfig = ArConfigSchema.safeParse(header.config);
  if (!parsedConfig.success) return fail(`bad AR config (${parsedConfig.error.message})`);
  const recipe = TrainRecipeSchema.safeParse(header.recipe);
  if (!recipe.success) return fail(`bad recipe (${recipe.error.message})`);
  const config = parsedConfig.data;
  const count = arParameterCount(config);
  if (bytes.length !== bodyOffset + 3 * count * 4)
    fail(`expected ${3 * count} float32 values after the header`);
  // copy into a fresh buffer so the floats are aligned whatever the header's length; not
  // bytes.slice: on a Node Buffer (what the store reads) slice shares the pooled memory
  const body = new Float32Array(new Uint8Array(bytes.subarray(bodyOffset)).buffer);
  const part = (k: number) => unflattenArWeights(config, body.subarray(k * count, (k + 1) * count));
  return {
    config,
    recipe: recipe.data,
    trainCount: header.trainCount,
    epochsDone: header.epochsDone,
    step: header.step,
    curves: header.curves,
    weights: part(0),
    m: part(1),
    v: part(2),
  };
}
