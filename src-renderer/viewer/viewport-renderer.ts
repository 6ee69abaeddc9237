/**
 * The viewer's renderer: a Canvas 2D pipeline over typed arrays (see
 * docs/viewer.md for why not Cornerstone3D). Three cached stages, each redone
 * only when its inputs change:
 *   1. grey RGBA of the frame under the window (src-common renderGrey, LUT),
 *   2. the anomaly map upsampled to the frame (once per slice),
 *   3. the composite of both under the overlay style (threshold, opacity, colour map, mode),
 * then one drawImage with the zoom/pan transform. Changing the threshold or
 * opacity reruns stage 3 only, a single pass over the pixels.
 */
import type { OverlayStyle } from '../../src-common/imaging/overlay';
import { compositeOverlay } from '../../src-common/imaging/overlay';
import { float16ToFloat32, upsampleMap } from '../../src-common/imaging/upsample';
import type { StoredArray, VoiWindow } from '../../src-common/imaging/window-level';
import { renderGrey, storedRange } from '../../src-common/imaging/window-level';
import type { LoadedFrame } from './frame-loader';

export interface ViewTransform {
  /** 1 = the image fits the viewport */
  zoom: number;
  /** offset of the image centre from the viewport centre, CSS px */
  panX: number;
  panY: number;
}

export interface MarkPath {
  points: ReadonlyArray<readonly [number, number]>;
  closed: boolean;
  colour: string;
}

export const FIT: ViewTransform = { zoom: 1, panX: 0, panY: 0 };

/** Dispatched on the canvas after every repaint; detail: { greyMs, compositeMs, drawMs } of that repaint's stages. */
export const DRAWN_EVENT = 'normscope:viewport-drawn';

export class ViewportRenderer {
  private frame: LoadedFrame | null = null;
  private range = { min: 0, max: 0 };
  private window: VoiWindow = { center: 0, width: 1 };
  private invert = false;
  private overlay: OverlayStyle | null = null;
  private view: ViewTransform = FIT;
  private marks: MarkPath[] = [];
  private mapSource: LoadedFrame | null = null;
  private map: Float32Array | null = null;
  /** the upsampled map follows the frame and its map message; redone once per repaint at most, not per setter */
  private mapValid = false;
  private grey: Uint8ClampedArray | null = null;
  private greyValid = false;
  private composite: ImageData | null = null;
  private compositeValid = false;
  private readonly offscreen = document.createElement('canvas');
  private cssWidth = 1;
  private cssHeight = 1;
  private dpr = 1;
  private scheduled = false;
  /** ms each stage took in the last repaint (0 for a stage whose cache was still valid); compositeMs includes upsampling a new map */
  readonly timings = { greyMs: 0, compositeMs: 0, drawMs: 0 };

  constructor(private readonly canvas: HTMLCanvasElement) {}

  setFrame(frame: LoadedFrame | null): void {
    if (frame === this.frame) return;
    const sizeChanged = !frame || !this.frame || frame.header.rows !== this.frame.header.rows || frame.header.columns !== this.frame.header.columns;
    this.frame = frame;
    this.range = frame ? storedRange(frame.values as StoredArray) : { min: 0, max: 0 };
    if (sizeChanged) {
      this.grey = null;
      this.composite = null;
    }
    this.greyValid = false;
    this.compositeValid = false;
    this.mapValid = false;
    this.schedule();
  }

  /** The frame's anomaly map message (28x28 float16), or null when the slice has none. */
  setMap(map: LoadedFrame | null): void {
    if (map === this.mapSource) return;
    this.mapSource = map;
    this.mapValid = false;
    this.compositeValid = false;
    this.schedule();
  }

  setDisplay(window: VoiWindow, invert: boolean): void {
    if (window.center === this.window.center && window.width === this.window.width && invert === this.invert) return;
    this.window = window;
    this.invert = invert;
    this.greyValid = false;
    this.compositeValid = false;
    this.schedule();
  }

  /** null hides the overlay */
  setOverlay(style: OverlayStyle | null): void {
    this.overlay = style;
    this.compositeValid = false;
    this.schedule();
  }

  setView(view: ViewTransform): void {
    this.view = view;
    this.schedule();
  }

  setMarks(marks: MarkPath[]): void {
    this.marks = marks;
    this.schedule();
  }

  resize(cssWidth: number, cssHeight: number, dpr: number): void {
    this.cssWidth = Math.max(1, cssWidth);
    this.cssHeight = Math.max(1, cssHeight);
    this.dpr = dpr;
    this.canvas.width = Math.round(this.cssWidth * dpr);
    this.canvas.height = Math.round(this.cssHeight * dpr);
    this.schedule();
  }

  /** CSS px per image pixel when the image fits the viewport (zoom 1). */
  fitScale(): number {
    if (!this.frame) return 1;
    const { rows, columns } = this.frame.header;
    return Math.min(this.cssWidth / columns, this.cssHeight / rows);
  }

  /** CSS px per image pixel at the current zoom. */
  scale(): number {
    return this.fitScale() * this.view.zoom;
  }

  /** Viewport CSS coordinates -> image pixel coordinates. */
  toImage(x: number, y: number): [number, number] {
    if (!this.frame) return [0, 0];
    const s = this.scale();
    const { rows, columns } = this.frame.header;
    const left = this.cssWidth / 2 + this.view.panX - (columns * s) / 2;
    const top = this.cssHeight / 2 + this.view.panY - (rows * s) / 2;
    return [(x - left) / s, (y - top) / s];
  }

  /** Draws now (tests and the benchmark); normally a repaint waits until the current task's setters are done. */
  drawNow(): void {
    this.scheduled = false;
    this.draw();
  }

  /**
   * One repaint after every setter of the current task (React applies a
   * commit's effects in one task): a microtask, not the next animation frame,
   * so the new slice reaches the frame being produced instead of the one
   * after it.
   */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      if (!this.scheduled) return;
      this.scheduled = false;
      this.draw();
    });
  }

  private refreshMap(): void {
    const frame = this.frame;
    const source = this.mapSource;
    this.mapValid = true;
    if (!frame || !source || frame.header.samples !== 1) {
      this.map = null;
      return;
    }
    const values = float16ToFloat32(source.values as Uint16Array);
    this.map = upsampleMap(values, source.header.rows, source.header.columns, frame.header.rows, frame.header.columns);
  }

  private renderGreyStage(): void {
    const frame = this.frame!;
    const { rows, columns, samples, photometric, slope, intercept } = frame.header;
    const pixels = rows * columns;
    if (!this.grey || this.grey.length !== pixels * 4) this.grey = new Uint8ClampedArray(pixels * 4);
    const started = performance.now();
    if (samples === 3) {
      const values = frame.values;
      for (let i = 0, o = 0; i < pixels; i++, o += 4) {
        const r = values[3 * i]!;
        const g = values[3 * i + 1]!;
        const b = values[3 * i + 2]!;
        this.grey[o] = this.invert ? 255 - r : r;
        this.grey[o + 1] = this.invert ? 255 - g : g;
        this.grey[o + 2] = this.invert ? 255 - b : b;
        this.grey[o + 3] = 255;
      }
    } else {
      const invert = this.invert !== (photometric === 'MONOCHROME1');
      renderGrey(frame.values as StoredArray, { slope, intercept, window: this.window, invert, range: this.range }, this.grey);
    }
    this.timings.greyMs = performance.now() - started;
    this.greyValid = true;
  }

  private renderCompositeStage(): void {
    const frame = this.frame!;
    const { rows, columns } = frame.header;
    if (!this.composite || this.composite.width !== columns || this.composite.height !== rows) {
      this.composite = new ImageData(columns, rows);
    }
    const started = performance.now();
    if (this.overlay && !this.mapValid) this.refreshMap();
    if (this.overlay && this.map) {
      compositeOverlay(this.grey!, this.map, columns, rows, this.overlay, this.composite.data, frame.header.samples === 1);
    }
    else this.composite.data.set(this.grey!);
    this.timings.compositeMs = performance.now() - started;
    if (this.offscreen.width !== columns || this.offscreen.height !== rows) {
      this.offscreen.width = columns;
      this.offscreen.height = rows;
    }
    this.offscreen.getContext('2d')!.putImageData(this.composite, 0, 0);
    this.compositeValid = true;
  }

  private draw(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const started = performance.now();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    const frame = this.frame;
    if (!frame) return;
    this.timings.greyMs = 0;
    this.timings.compositeMs = 0;
    if (!this.greyValid) this.renderGreyStage();
    if (!this.compositeValid) this.renderCompositeStage();
    const { rows, columns } = frame.header;
    const s = this.scale();
    const left = this.cssWidth / 2 + this.view.panX - (columns * s) / 2;
    const top = this.cssHeight / 2 + this.view.panY - (rows * s) / 2;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.imageSmoothingEnabled = s < 4;
    ctx.drawImage(this.offscreen, left, top, columns * s, rows * s);
    for (const mark of this.marks) {
      if (mark.points.length === 0) continue;
      ctx.beginPath();
      mark.points.forEach(([x, y], k) => {
        const px = left + x * s;
        const py = top + y * s;
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      if (mark.closed) ctx.closePath();
      ctx.strokeStyle = mark.colour;
      ctx.lineWidth = 2;
      ctx.setLineDash(mark.closed ? [] : [5, 4]);
      ctx.stroke();
      for (const [x, y] of mark.points) {
        ctx.fillStyle = mark.colour;
        ctx.fillRect(left + x * s - 2.5, top + y * s - 2.5, 5, 5);
      }
    }
    ctx.setLineDash([]);
    this.timings.drawMs = performance.now() - started;
    // for benchmarks and tests: what the last repaint cost, without a global hook
    this.canvas.dispatchEvent(new CustomEvent(DRAWN_EVENT, { detail: { ...this.timings } }));
  }
}
