/**
 * Seeded pseudo-random numbers for everything that must be reproducible from a
 * seed (phantom data, stand-in weights, training noise). Not for cryptography.
 *
 * Generator: xoshiro128** (Blackman & Vigna, 2018), 32-bit state words seeded by
 * splitmix32 from one integer seed, so nearby seeds give unrelated streams.
 * Normals: Box-Muller, caching the second value of each pair.
 */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Standard normal (mean 0, standard deviation 1). */
  normal(): number;
  /**
   * Fills out[start..end) with standard normals: exactly the values that many
   * normal() calls would return, in order, without a call per value (the
   * hot path of training noise).
   */
  fillNormal(out: Float64Array, start?: number, end?: number): void;
  /** Uniform integer in [0, n); n must be a positive integer. */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** One xoshiro128** step on the state words [s0, s1, s2, s3] (the array keeps them 32-bit); returns the output. */
function xoshiroNext(s: Uint32Array): number {
  const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
  const t = s[1]! << 9;
  s[2]! ^= s[0]!;
  s[3]! ^= s[1]!;
  s[1]! ^= s[2]!;
  s[0]! ^= s[3]!;
  s[2]! ^= t;
  s[3] = rotl(s[3]!, 11);
  return result;
}

/** A generator whose whole stream is a function of `seed` (any finite number; it is truncated to 32 bits). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed))
    throw new RangeError(`createRng: seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.trunc(seed));
  const state = Uint32Array.of(init(), init(), init(), init());
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1; // the all-zero state is a fixed point of xoshiro

  const next = (): number => xoshiroNext(state) / 4294967296;
  let spare: number | undefined;

  return {
    next,
    normal(): number {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      // 1 - u keeps the logarithm's argument in (0, 1]
      const u = 1 - next();
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    fillNormal(out: Float64Array, start = 0, end = out.length): void {
      let i = start;
      if (i < end && spare !== undefined) {
        out[i++] = spare;
        spare = undefined;
      }
      // normal()'s Box-Muller in a loop, without a call through the returned object per value
      for (; i < end; i += 2) {
        const radius = Math.sqrt(-2 * Math.log(1 - xoshiroNext(state) / 4294967296));
        const v = xoshiroNext(state) / 4294967296;
        out[i] = radius * Math.cos(2 * Math.PI * v);
        const sine = radius * Math.sin(2 * Math.PI * v);
        if (i + 1 < end) out[i + 1] = sine;
        else spare = sine;
      }
    },
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0)
        throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
      return Math.floor(next() * n);
    },
  };
}
