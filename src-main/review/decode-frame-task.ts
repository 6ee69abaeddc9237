/**
 * `dicom.decodeFrame`: reads one stored DICOM file and decodes one frame, in a
 * supervised worker process, because the file is untrusted input and codecs
 * are native (WASM) code. The main process passes a path it looked up in the
 * store, never one that came from a request.
 */
import { readFile } from 'node:fs/promises';
import type { DecodedFrame } from '../dicom/decode';
import { decodeFrame } from '../dicom/decode';
import { applyPalette, readPalette } from '../dicom/palette';
import { parseDicom } from '../dicom/parse';
import type { Task } from '../jobs/task';

export interface DecodeFrameInput {
  path: string;
  /** 0-based */
  frame: number;
}

export interface DecodeFrameOutput {
  /** stored values [rows * columns * samples]; PALETTE COLOR comes back as 8-bit RGB */
  values: DecodedFrame['data'];
  rows: number;
  columns: number;
  samples: number;
  photometric: string;
  slope: number;
  intercept: number;
  window: { center: number; width: number } | null;
  spacing: [number, number] | null;
}

/** 16-bit palette entries to 8-bit RGB, the depth the window shows colour in. */
function paletteToRgb8(rgb: Uint16Array, bits: number): Uint8Array {
  const shift = Math.max(0, bits - 8);
  return Uint8Array.from(rgb, (v) => v >> shift);
}

const decode: Task<DecodeFrameInput, DecodeFrameOutput> = async ({ path, frame }) => {
  const parsed = parseDicom(await readFile(path), path);
  const decoded = await decodeFrame(parsed, frame);
  const h = parsed.header;
  const palette = decoded.photometric === 'PALETTE COLOR';
  const lut = palette ? readPalette(parsed) : null;
  return {
    values: lut ? paletteToRgb8(applyPalette(decoded.data, lut), lut.bits) : decoded.data,
    rows: decoded.rows,
    columns: decoded.columns,
    samples: lut ? 3 : decoded.samplesPerPixel,
    photometric: lut ? 'RGB' : decoded.photometric,
    slope: h.rescaleSlope,
    intercept: h.rescaleIntercept,
    window:
      h.windowCenter !== undefined && h.windowWidth !== undefined ? { center: h.windowCenter, width: h.windowWidth } : null,
    spacing: h.pixelSpacing ?? null,
  };
};

export const reviewTasks = {
  'dicom.decodeFrame': decode,
};
