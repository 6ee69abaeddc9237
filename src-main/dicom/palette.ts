import type { DataSet } from 'dicom-parser';
import { NormscopeError } from '../api/errors';
import type { StoredValues } from './decode';
import { invalidDicom } from './parse';
import type { ParsedDicom } from './parse';

/** A PALETTE COLOR lookup table (PS3.3 C.7.6.3.1.5): index -> red, green, blue in `bits` bits. */
export interface PaletteLut {
  /** stored value mapped to entry 0; values below map to entry 0, above the last entry to the last */
  firstMapped: number;
  bits: number;
  red: Uint16Array;
  green: Uint16Array;
  blue: Uint16Array;
}

const CHANNELS = [
  { name: 'red', descriptor: 'x00281101', data: 'x00281201' },
  { name: 'green', descriptor: 'x00281102', data: 'x00281202' },
  { name: 'blue', descriptor: 'x00281103', data: 'x00281203' },
] as const;

function readChannel(
  parsed: ParsedDicom,
  ds: DataSet,
  channel: (typeof CHANNELS)[number],
): { firstMapped: number; bits: number; values: Uint16Array } {
  const descriptor = ds.elements[channel.descriptor];
  const data = ds.elements[channel.data];
  if (!descriptor || descriptor.length < 6 || !data) {
    if (ds.elements['x00281221']) {
      throw new NormscopeError(
        'Unavailable',
        `${parsed.source}: segmented palette colour lookup tables are not supported`,
      );
    }
    throw invalidDicom(parsed.source, `PALETTE COLOR image without a ${channel.name} lookup table`);
  }
  const entries = ds.uint16(channel.descriptor, 0) || 65536; // 0 means 2^16 entries
  // the first mapped value is US or SS depending on Pixel Representation
  const firstMapped =
    parsed.header.pixelRepresentation === 1
      ? ds.int16(channel.descriptor, 1)!
      : ds.uint16(channel.descriptor, 1)!;
  const bits = ds.uint16(channel.descriptor, 2)!;
  if (bits !== 8 && bits !== 16)
    throw invalidDicom(
      parsed.source,
      `palette ${channel.name} entries have ${bits} bits, not 8 or 16`,
    );
  const values = new Uint16Array(entries);
  // some writers pack 8-bit entries one per byte rather than one per 16-bit word
  const packedBytes = bits === 8 && data.length === entries + (entries % 2);
  if (!packedBytes && data.length < entries * 2)
    throw invalidDicom(
      parsed.source,
      `palette ${channel.name} data is shorter than its ${entries} entries`,
    );
  for (let i = 0; i < entries; i++) {
    values[i] = packedBytes ? ds.byteArray[data.dataOffset + i]! : ds.uint16(channel.data, i)!;
  }
  return { firstMapped, bits, values };
}

/** Reads the palette of a PALETTE COLOR image; throws when it is missing, malformed or segmented. */
export function readPalette(parsed: ParsedDicom): PaletteLut {
  const [red, green, blue] = CHANNELS.map((c) => {
    try {
      return readChannel(parsed, parsed.dataSet, c);
    } catch (thrown) {
      if (thrown instanceof NormscopeError) throw thrown;
      throw invalidDicom(
        parsed.source,
        `palette ${c.name} lookup table is malformed (${String(thrown)})`,
      );
    }
  }) as [
    ReturnType<typeof readChannel>,
    ReturnType<typeof readChannel>,
    ReturnType<typeof readChannel>,
  ];
  return {
    firstMapped: red.firstMapped,
    bits: red.bits,
    red: red.values,
    green: green.values,
    blue: blue.values,
  };
}

/**
 * Maps palette indices (one sample per pixel, as decodeFrame returns them) to
 * interleaved RGB in the table's bit depth: [pixels x 3] Uint16Array.
 */
export function applyPalette(indices: StoredValues, lut: PaletteLut): Uint16Array {
  const out = new Uint16Array(indices.length * 3);
  const channels = [lut.red, lut.green, lut.blue];
  for (let i = 0; i < indices.length; i++) {
    for (let c = 0; c < 3; c++) {
      const table = channels[c]!;
      const entry = Math.min(table.length - 1, Math.max(0, indices[i]! - lut.firstMapped));
      out[3 * i + c] = table[entry]!;
    }
  }
  return out;
}
