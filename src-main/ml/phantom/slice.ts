/**
 * Procedural brain-like MR slices (T1-like contrast) for tests, the demo and
 * `evaluate` on this machine, where no patient data may be used. Everything is
 * a function of the seed: the subject's anatomy, its lesions and the noise.
 *
 * Geometry lives in normalised coordinates: the slice spans [-1, 1] in both
 * directions and the slice position z runs 0 (lowest) to 1 (highest) through
 * the head, so neighbouring slices of a series change smoothly. Anatomy is
 * left-right symmetric (shapes depend on |u|) up to the subject's small tilt.
 * Lesions are 3D blobs with irregular outlines, bright or dark, inside the
 * brain; their ground-truth mask is where the outline encloses the pixel
 * centre. Edges are anti-aliased by 2x2 supersampling; noise is Rician (the
 * magnitude of complex Gaussian noise), as in magnitude MR images.
 */
import { createRng } from '../random';
import type { Rng } from '../random';

/** Largest stored value: the slices are 12-bit. */
export const PHANTOM_MAX_VALUE = 4095;

export interface PhantomSliceOptions {
  /** Subject: anatomy, lesions and noise all follow from it. */
  seed: number;
  /** 0-based index of the slice in a series of `slices` (z = index / (slices - 1); a single slice sits at z = 0.5). */
  sliceIndex: number;
  slices: number;
  /** Width and height in pixels. */
  size: number;
  /** Whether the subject has lesions (the same anatomy either way). */
  lesions: boolean;
}

export interface PhantomSlice {
  /** [size, size] stored values, 0..4095. */
  pixels: Uint16Array;
  /** [size, size] 1 where a lesion is (ground truth), else 0. */
  mask: Uint8Array;
  /** [size, size] 1 inside the brain (ground truth), else 0. */
  brain: Uint8Array;
  /** [size, size] 1 inside the head, scalp included (ground truth), else 0. */
  head: Uint8Array;
  size: number;
}

interface Wave {
  fu: number;
  fv: number;
  fz: number;
  phase: number;
}

interface Lesion {
  u: number;
  v: number;
  z: number;
  radius: number;
  zRadius: number;
  /** Relative intensity change at the core: > 0 bright, < 0 dark. */
  contrast: number;
  harmonics: { k: number; amplitude: number; phase: number }[];
}

interface Subject {
  headA: number;
  headB: number;
  tilt: number;
  du: number;
  dv: number;
  gyri: { k: number; amplitude: number; phase: number; drift: number }[];
  texture: Wave[];
  bias: [number, number];
  ventricleScale: number;
  lesions: Lesion[];
}

const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();

function makeSubject(seed: number): Subject {
  const rng = createRng(seed);
  const subject: Subject = {
    headA: 0.74 * (1 + 0.05 * rng.normal()),
    headB: 0.88 * (1 + 0.04 * rng.normal()),
    tilt: 0.06 * rng.normal(),
    du: 0.02 * rng.normal(),
    dv: 0.02 * rng.normal(),
    gyri: Array.from({ length: 3 }, (_, i) => ({
      k: 11 + 5 * i + rng.int(3),
      amplitude: uniform(rng, 0.02, 0.035),
      phase: uniform(rng, 0, 2 * Math.PI),
      drift: uniform(rng, -6, 6),
    })),
    texture: Array.from({ length: 5 }, () => ({
      fu: uniform(rng, -7, 7),
      fv: uniform(rng, -7, 7),
      fz: uniform(rng, -4, 4),
      phase: uniform(rng, 0, 2 * Math.PI),
    })),
    bias: [0.08 * rng.normal(), 0.08 * rng.normal()],
    ventricleScale: 1 + 0.15 * rng.normal(),
    lesions: [],
  };
  // a separate stream, so that lesions never change the anatomy drawn above
  const lesionRng = createRng(seed ^ 0x5bd1e995);
  const count = 1 + lesionRng.int(3);
  const radii = [0.06, 0.1, 0.15];
  for (let i = 0; i < count; i++) {
    const angle = uniform(lesionRng, 0, 2 * Math.PI);
    const distance = 0.42 * Math.sqrt(lesionRng.next());
    subject.lesions.push({
      u: distance * Math.cos(angle) * 0.8,
      v: distance * Math.sin(angle),
      // within 0.15 of the middle with a z-radius of at least 0.2: every lesion crosses the middle slice
      z: uniform(lesionRng, 0.35, 0.65),
      radius: radii[lesionRng.int(radii.length)]! * uniform(lesionRng, 0.8, 1.2),
      zRadius: uniform(lesionRng, 0.2, 0.3),
      contrast:
        lesionRng.next() < 0.6 ? uniform(lesionRng, 0.14, 0.24) : -uniform(lesionRng, 0.2, 0.32),
      harmonics: [2, 3, 5].map((k) => ({
        k,
        amplitude: uniform(lesionRng, 0.05, 0.18),
        phase: uniform(lesionRng, 0, 2 * Math.PI),
      })),
    });
  }
  return subject;
}

// tissue intensities as fractions of the 12-bit range (T1-like: white matter brighter than grey, CSF dark)
const SCALP = 0.6;
const SKULL = 0.07;
const CSF = 0.1;
const GREY = 0.4;
const WHITE = 0.56;

interface Sample {
  intensity: number;
  head: boolean;
  brain: boolean;
  lesion: boolean;
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

function sampleAnatomy(
  subject: Subject,
  lesions: Lesion[],
  u0: number,
  v0: number,
  z: number,
): Sample {
  // subject frame: centred, tilted
  const cos = Math.cos(subject.tilt);
  const sin = Math.sin(subject.tilt);
  const uc = u0 - subject.du;
  const vc = v0 - subject.dv;
  const u = cos * uc + sin * vc;
  const v = -sin * uc + cos * vc;

  // the head's cross-section narrows towards the bottom and the top of the volume
  const profile = Math.sqrt(Math.max(0.05, 1 - ((z - 0.42) / 0.8) ** 2));
  const a = subject.headA * profile;
  const b = subject.headB * profile;
  const r = Math.hypot(u / a, v / b);
  if (r >= 1) return { intensity: 0, head: false, brain: false, lesion: false };

  // angle from the front, symmetric left-right
  const phi = Math.atan2(Math.abs(u), -v);
  const brainEdge = 0.86 + 0.012 * Math.cos(4 * phi) - 0.02 * Math.cos(2 * phi);
  if (r > 0.93) return { intensity: SCALP, head: true, brain: false, lesion: false };
  if (r > brainEdge + 0.025) return { intensity: SKULL, head: true, brain: false, lesion: false };
  if (r > brainEdge) return { intensity: CSF, head: true, brain: false, lesion: false };

  // brain: white matter inside a folded grey ribbon
  let folds = 0;
  let foldRange = 0;
  for (const g of subject.gyri) {
    folds += g.amplitude * Math.sin(g.k * phi + g.phase + g.drift * z);
    foldRange += g.amplitude;
  }
  const whiteEdge = brainEdge - 0.12 + folds;
  let tissue = r < whiteEdge ? WHITE : GREY;
  // sulci: thin CSF clefts reaching in from the surface between the white-matter fingers
  if (folds < -0.45 * foldRange && r > brainEdge - 0.05 + 0.6 * (folds + foldRange)) tissue = CSF;

  // interhemispheric fissure, front and back
  const fissureHalfWidth = 0.012;
  if (Math.abs(u) < fissureHalfWidth * a && Math.abs(v) > 0.45 * b) tissue = CSF;

  // deep grey nuclei, in the middle slices
  const nuclei = Math.max(0, 1 - ((z - 0.45) / 0.15) ** 2);
  if (
    nuclei > 0 &&
    Math.hypot((Math.abs(u) - 0.2 * a) / (0.09 * a), (v - 0.08 * b) / (0.12 * b)) <
      Math.sqrt(nuclei)
  ) {
    tissue = GREY + 0.04;
  }

  // lateral ventricles: two crescents either side of the midline, largest mid-volume
  const ventricles = subject.ventricleScale * Math.max(0, 1 - ((z - 0.55) / 0.22) ** 2);
  if (ventricles > 0) {
    // frontal horns spread apart and widen, the bodies run close to the midline
    const front = Math.max(0, -(v + 0.04 * b) / (0.3 * b));
    const du = (Math.abs(u) - (0.07 + 0.07 * front) * a) / ((0.04 + 0.04 * front) * a);
    const dv = (v + 0.04 * b) / (0.3 * b);
    if (Math.hypot(du, dv) < Math.sqrt(ventricles)) tissue = CSF;
  }

  let lesion = false;
  for (const l of lesions) {
    const dz = (z - l.z) / l.zRadius;
    if (Math.abs(dz) >= 1) continue;
    const radius = l.radius * Math.sqrt(1 - dz * dz);
    const lu = u - l.u;
    const lv = v - l.v;
    const psi = Math.atan2(lv, lu);
    let outline = 1;
    for (const h of l.harmonics) outline += h.amplitude * Math.sin(h.k * psi + h.phase + 3 * z);
    const rho = Math.hypot(lu, lv) / (radius * outline);
    if (rho < 1) lesion = true;
    // soft rim: the intensity change fades over the outer fifth of the outline
    const weight = 1 - smoothstep(0.8, 1.05, rho);
    if (weight > 0) tissue *= 1 + l.contrast * weight;
  }
  return { intensity: tissue, head: true, brain: true, lesion };
}

function textureFactor(subject: Subject, u: number, v: number, z: number): number {
  let t = 0;
  for (const w of subject.texture)
    t += Math.sin(Math.PI * (w.fu * u + w.fv * v + w.fz * z) + w.phase);
  return (1 + 0.025 * t) * (1 + subject.bias[0] * u + subject.bias[1] * v);
}

/** One slice of the seeded subject (see the module comment); pure and deterministic. */
export function generatePhantomSlice(options: PhantomSliceOptions): PhantomSlice {
  const { seed, sliceIndex, slices, size } = options;
  if (!Number.isInteger(size) || size < 8)
    throw new RangeError(`phantom size must be an integer >= 8, got ${size}`);
  if (
    !Number.isInteger(slices) ||
    slices < 1 ||
    !Number.isInteger(sliceIndex) ||
    sliceIndex < 0 ||
    sliceIndex >= slices
  ) {
    throw new RangeError(`phantom slice ${sliceIndex} of ${slices} is out of range`);
  }
  const subject = makeSubject(seed);
  const lesions = options.lesions ? subject.lesions : [];
  const z = slices === 1 ? 0.5 : sliceIndex / (slices - 1);
  const noise = createRng((seed * 7919 + sliceIndex * 104729) ^ 0x2545f491);
  const noiseSigma = 0.012;

  const pixels = new Uint16Array(size * size);
  const mask = new Uint8Array(size * size);
  const brain = new Uint8Array(size * size);
  const head = new Uint8Array(size * size);
  const step = 2 / size;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let sy = 0; sy < 2; sy++) {
        for (let sx = 0; sx < 2; sx++) {
          const u = -1 + (x + 0.25 + 0.5 * sx) * step;
          const v = -1 + (y + 0.25 + 0.5 * sy) * step;
          sum += sampleAnatomy(subject, lesions, u, v, z).intensity;
        }
      }
      const u = -1 + (x + 0.5) * step;
      const v = -1 + (y + 0.5) * step;
      const centre = sampleAnatomy(subject, lesions, u, v, z);
      const signal = (sum / 4) * textureFactor(subject, u, v, z);
      const real = signal + noiseSigma * noise.normal();
      const imaginary = noiseSigma * noise.normal();
      const value = Math.round(Math.hypot(real, imaginary) * PHANTOM_MAX_VALUE);
      const i = y * size + x;
      pixels[i] = Math.min(PHANTOM_MAX_VALUE, value);
      mask[i] = centre.lesion ? 1 : 0;
      brain[i] = centre.brain ? 1 : 0;
      head[i] = centre.head ? 1 : 0;
    }
  }
  return { pixels, mask, brain, head, size };
}
