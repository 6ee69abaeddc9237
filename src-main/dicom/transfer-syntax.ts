/**
 * The transfer syntaxes Normscope reads (PS3.5 section 10 and Annex A) and how
 * each one stores its dataset and its pixels.
 */

/** How the pixel data of a transfer syntax is encoded. */
export type PixelEncoding =
  | 'native' // uncompressed, byte order of the dataset
  | 'rle' // RLE Lossless, PS3.5 Annex G
  | 'jpeg-baseline' // JPEG process 1 (8-bit lossy)
  | 'jpeg-extended' // JPEG process 2/4 (8 or 12-bit lossy)
  | 'jpeg-lossless' // JPEG process 14 (any predictor) and 14 SV1
  | 'jpeg-ls' // JPEG-LS lossless and near-lossless
  | 'jpeg2000' // JPEG 2000 part 1, lossless or lossy
  | 'htj2k'; // High-Throughput JPEG 2000

export interface TransferSyntax {
  uid: string;
  name: string;
  /** true for explicit VR; the dataset of every syntax but implicit VR LE is explicit */
  explicitVr: boolean;
  bigEndian: boolean;
  /** the dataset after the File Meta group is a raw deflate stream (PS3.5 A.5) */
  deflated: boolean;
  pixelEncoding: PixelEncoding;
  /** true when decoding reproduces the stored values exactly */
  lossless: boolean;
}

function syntax(
  uid: string,
  name: string,
  pixelEncoding: PixelEncoding,
  lossless: boolean,
  options: { explicitVr?: boolean; bigEndian?: boolean; deflated?: boolean } = {},
): TransferSyntax {
  return {
    uid,
    name,
    explicitVr: options.explicitVr ?? true,
    bigEndian: options.bigEndian ?? false,
    deflated: options.deflated ?? false,
    pixelEncoding,
    lossless,
  };
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

const SUPPORTED: readonly TransferSyntax[] = [
  syntax(IMPLICIT_VR_LITTLE_ENDIAN, 'Implicit VR Little Endian', 'native', true, {
    explicitVr: false,
  }),
  syntax(EXPLICIT_VR_LITTLE_ENDIAN, 'Explicit VR Little Endian', 'native', true),
  syntax('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', 'native', true, {
    deflated: true,
  }),
  syntax('1.2.840.10008.1.2.2', 'Explicit VR Big Endian', 'native', true, { bigEndian: true }),
  syntax('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle', true),
  syntax('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline', false),
  syntax('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-extended', false),
  syntax(
    '1.2.840.10008.1.2.4.57',
    'JPEG Lossless, Non-Hierarchical (Process 14)',
    'jpeg-lossless',
    true,
  ),
  syntax(
    '1.2.840.10008.1.2.4.70',
    'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 SV1)',
    'jpeg-lossless',
    true,
  ),
  syntax('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls', true),
  syntax('1.2.840.10008.1.2.4.81', 'JPEG-LS Lossy (Near-Lossless)', 'jpeg-ls', false),
  syntax('1.2.840.10008.1.2.4.90', 'JPEG 2000 Image Compression (Lossless Only)', 'jpeg2000', true),
  syntax('1.2.840.10008.1.2.4.91', 'JPEG 2000 Image Compression', 'jpeg2000', false),
  syntax('1.2.840.10008.1.2.4.201', 'High-Throughput JPEG 2000 (Lossless Only)', 'htj2k', true),
  syntax(
    '1.2.840.10008.1.2.4.202',
    'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)',
    'htj2k',
    true,
  ),
  syntax('1.2.840.10008.1.2.4.203', 'High-Throughput JPEG 2000', 'htj2k', false),
];

/** Names of well-known syntaxes we do not decode, so a refusal can say what the file is. */
const KNOWN_UNSUPPORTED: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.4.52': 'JPEG Extended (Process 3 & 5, retired)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection, Non-Hierarchical (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression, Non-Hierarchical (retired)',
  '1.2.840.10008.1.2.4.58': 'JPEG Lossless, Hierarchical (retired)',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.104': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video',
  '1.2.840.10008.1.2.4.105': 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video',
  '1.2.840.10008.1.2.4.106': 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2',
  '1.2.840.10008.1.2.4.107': 'HEVC/H.265 Main Profile / Level 5.1',
  '1.2.840.10008.1.2.4.108': 'HEVC/H.265 Main 10 Profile / Level 5.1',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.111': 'JPEG XL JPEG Recompression',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.6.1': 'RFC 2557 MIME encapsulation (retired)',
  '1.2.840.10008.1.2.6.2': 'XML Encoding (retired)',
};

const BY_UID = new Map(SUPPORTED.map((s) => [s.uid, s]));

/** The syntax for a UID, or undefined when Normscope cannot read it. */
export function findTransferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

/** A human name for any transfer syntax UID, supported or not. */
export function transferSyntaxName(uid: string): string {
  return BY_UID.get(uid)?.name ?? KNOWN_UNSUPPORTED[uid] ?? 'unknown transfer syntax';
}
