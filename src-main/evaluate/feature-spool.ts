/**
 * Feature grids of one evaluation kept on disk as float16 records in a
 * temporary file, so that training epochs do not rerun the backbone and
 * memory stays bounded whatever the data set's size (BMAD's brain set has
 * thousands of training images: 1.2 MB of float32 each at 384x28x28).
 * `evaluate` needs no store, so this is a private scratch file rather than the
 * application's content-addressed feature cache; it is deleted on close.
 * Float16 is the precision the application's feature cache keeps as well.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NormscopeError } from '../api/errors';
import { decodeFloat16, encodeFloat16 } from '../ml/float16';
import type { FeatureSource } from '../ml/train/batches';

export class FeatureSpool implements FeatureSource {
  private readonly dir: string;
  private readonly fd: number;
  private records = 0;
  private closed = false;

  /** `gridSize`: values per grid (C x H x W). */
  constructor(readonly gridSize: number) {
    this.dir = mkdtempSync(join(tmpdir(), 'normscope-evaluate-'));
    this.fd = openSync(join(this.dir, 'features.f16'), 'w+');
  }

  get count(): number {
    return this.records;
  }

  /** Appends one grid (rounded to float16); returns its index. */
  append(grid: Float32Array): number {
    this.checkOpen();
    if (grid.length !== this.gridSize) {
      throw new NormscopeError(
        'Internal',
        `feature grid has ${grid.length} values, the spool holds grids of ${this.gridSize}`,
      );
    }
    const bits = encodeFloat16(grid);
    const bytes = new Uint8Array(bits.buffer, bits.byteOffset, bits.byteLength);
    writeSync(this.fd, bytes, 0, bytes.byteLength, this.records * this.gridSize * 2);
    return this.records++;
  }

  get(index: number): Float32Array {
    this.checkOpen();
    if (!Number.isInteger(index) || index < 0 || index >= this.records)
      throw new RangeError(`feature grid ${index} is not in a spool of ${this.records}`);
    const bits = new Uint16Array(this.gridSize);
    const bytes = new Uint8Array(bits.buffer);
    const read = readSync(this.fd, bytes, 0, bytes.byteLength, index * this.gridSize * 2);
    if (read !== bytes.byteLength)
      throw new NormscopeError('Internal', `feature spool: short read of grid ${index}`);
    return decodeFloat16(bits);
  }

  /** Deletes the file; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private checkOpen(): void {
    if (this.closed) throw new NormscopeError('Internal', 'feature spool used after close');
  }
}
