/**
 * A model version as one file that another workstation imports and scores
 * with identically: a zip (fflate) of
 *   normscope-model.json  the manifest: model record (AR config, preprocessing,
 *                         provenance), backbone identity (sha256 and probed
 *                         manifest, not the backbone file), the current
 *                         thresholds, the sha256 of every other entry, and
 *                         `checksum`: sha256 of the canonical JSON of the
 *                         manifest without it
 *   weights.bin           the AR weights file as stored
 * The checksum detects damage and casual edits (a tampered bundle is refused);
 * it is not a signature: whoever rewrites the weights can recompute it.
 */
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { z } from 'zod';
import { NormscopeError } from '../api/errors';
import { canonicalJson } from '../store/canonical-json';
import { sha256Hex } from '../store/content-store';

export const BUNDLE_FORMAT = 'normscope-model-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
const MANIFEST_ENTRY = 'normscope-model.json';
const WEIGHTS_ENTRY = 'weights.bin';
/** a bundle is a few MB at paper size; refuse anything that inflates past this */
const MAX_ENTRY_BYTES = 1 << 30;

const Sha = z.string().regex(/^[0-9a-f]{64}$/);
const Json = z.record(z.string(), z.unknown());

export const BundleManifest = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    exportedAt: z.string(),
    model: z.object({
      id: z.string(),
      name: z.string(),
      createdAt: z.string(),
      createdBy: z.string(),
      arConfig: Json,
      preprocessingVersion: z.string(),
      preprocessing: Json,
      provenance: Json,
    }),
    backbone: z.object({ sha256: Sha, name: z.string(), standIn: z.boolean(), manifest: Json }),
    threshold: z
      .object({
        pixelThreshold: z.number(),
        imageThreshold: z.number(),
        method: Json,
        createdAt: z.string(),
        createdBy: z.string(),
      })
      .nullable(),
    files: z.object({ [WEIGHTS_ENTRY]: Sha }).strict(),
    checksum: Sha,
  })
  .strict();
export type BundleManifest = z.infer<typeof BundleManifest>;

export type BundleContent = Omit<BundleManifest, 'format' | 'formatVersion' | 'files' | 'checksum'>;

function checksumOf(manifest: Omit<BundleManifest, 'checksum'>): string {
  return sha256Hex(strToU8(canonicalJson(manifest)));
}

/** The bytes of a bundle holding `content` and `weights`. */
export function encodeBundle(content: BundleContent, weights: Uint8Array): Uint8Array {
  const body = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    ...content,
    files: { [WEIGHTS_ENTRY]: sha256Hex(weights) },
  } as const;
  const manifest: BundleManifest = { ...body, checksum: checksumOf(body) };
  return zipSync(
    {
      [MANIFEST_ENTRY]: strToU8(JSON.stringify(manifest, null, 2)),
      [WEIGHTS_ENTRY]: weights,
    },
    { level: 6 },
  );
}

/**
 * Reads and verifies a bundle. Throws InvalidRequest for a file that is not a
 * bundle, Refused for one whose checksum or weights hash does not match
 * (damaged or edited).
 */
export function decodeBundle(bytes: Uint8Array, label: string): { manifest: BundleManifest; weights: Uint8Array; sha256: string } {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => (file.name === MANIFEST_ENTRY || file.name === WEIGHTS_ENTRY) && file.originalSize <= MAX_ENTRY_BYTES,
    });
  } catch (err) {
    throw new NormscopeError('InvalidRequest', `${label} is not a Normscope model bundle (not a zip: ${(err as Error).message})`);
  }
  const manifestBytes = entries[MANIFEST_ENTRY];
  const weights = entries[WEIGHTS_ENTRY];
  if (!manifestBytes || !weights) {
    throw new NormscopeError('InvalidRequest', `${label} is not a Normscope model bundle (${MANIFEST_ENTRY} or ${WEIGHTS_ENTRY} missing)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(strFromU8(manifestBytes));
  } catch (err) {
    throw new NormscopeError('Refused', `${label}: its manifest is not valid JSON (${(err as Error).message}); the bundle is damaged`);
  }
  const parsed = BundleManifest.safeParse(raw);
  if (!parsed.success) {
    throw new NormscopeError('InvalidRequest', `${label}: unsupported or damaged bundle manifest (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  }
  const manifest = parsed.data;
  const { checksum, ...body } = manifest;
  if (checksumOf(body) !== checksum) {
    throw new NormscopeError('Refused', `${label}: the manifest does not match its checksum; the bundle was altered or damaged`);
  }
  if (sha256Hex(weights) !== manifest.files[WEIGHTS_ENTRY]) {
    throw new NormscopeError('Refused', `${label}: the weights do not match the sha256 in the manifest; the bundle was altered or damaged`);
  }
  return { manifest, weights, sha256: sha256Hex(bytes) };
}
