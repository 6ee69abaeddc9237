/**
 * Key images: the most anomalous frame of a study with its anomaly overlay,
 * drawn by the viewer's own code (src-common/imaging: modality LUT + VOI
 * window, bilinear upsampling of the patch map as the engine does, overlay
 * compositing), encoded as PNG.
 */
import { encode as encodePng } from 'fast-png';
import type { OverlayStyle } from '../../src-common/imaging/overlay';
import { compositeOverlay } from '../../src-common/imaging/overlay';
import { float16ToFloat32, upsampleMap } from '../../src-common/imaging/upsample';
import { autoWindow, renderGrey } from '../../src-common/imaging/window-level';
import { NormscopeError } from '../api/errors';
import type { DecodeFrameInput, DecodeFrameOutput } from '../review/decode-frame-task';
import type { AnomalyMap } from '../store/repositories/scoring-repository';
import type { StudyDetail } from '../store/repositories/studies-repository';
import type { Store } from '../store/store';

/** Decodes one frame of a stored file, in a supervised worker (the `dicom.decodeFrame` task). */
export type DecodeFrame = (input: DecodeFrameInput) => Promise<DecodeFrameOutput>;

/** How key images show the map: the viewer's default look (inferno, half opacity, filled above threshold). */
export const KEY_IMAGE_OVERLAY: Pick<OverlayStyle, 'colormap' | 'opacity' | 'mode'> = {
  colormap: 'inferno',
  opacity: 0.5,
  mode: 'fill',
};

export interface MostAnomalousFrame {
  sopInstanceUid: string;
  frame: number;
  imageScore: number;
  /** the stored file, from the store (never from a request) */
  path: string;
}

/** The frame with the highest image score of the study in a scoring run, or null when none was scored. */
export function mostAnomalousFrame(
  store: Pick<Store, 'scoring' | 'files'>,
  scoringRunId: string,
  study: StudyDetail,
): MostAnomalousFrame | null {
  let best: { sopInstanceUid: string; frame: number; imageScore: number } | null = null;
  for (const series of study.series) {
    for (const scored of store.scoring.imageScores(scoringRunId, series.seriesUid)) {
      if (best === null || scored.imageScore > best.imageScore) best = scored;
    }
  }
  if (best === null) return null;
  const instance = study.series
    .flatMap((series) => series.instances)
    .find((i) => i.sopInstanceUid === best.sopInstanceUid);
  const path = instance?.fileSha256
    ? store.files.pathOf(instance.fileSha256)
    : instance?.sourcePath;
  if (!path)
    throw new NormscopeError(
      'NotFound',
      `the file of instance ${best.sopInstanceUid} is not in the store`,
    );
  return { ...best, path };
}

export interface RenderedKeyImage {
  png: Uint8Array;
  width: number;
  height: number;
  overlay: {
    colormap: string;
    opacity: number;
    threshold: number;
    scaleMin: number;
    scaleMax: number;
  };
}

/**
 * Composites `map` over the decoded frame as the viewer first shows it
 * (ViewerSection's initial overlay): values at or above `pixelThreshold` (the
 * threshold in force), or half the maximum when the model has none; colours
 * span 0..the maximum, which on the most anomalous frame is the study's
 * highest image score, the viewer's scale.
 */
export function renderKeyImage(
  decoded: DecodeFrameOutput,
  map: AnomalyMap,
  pixelThreshold: number | null,
): RenderedKeyImage {
  const { rows, columns } = decoded;
  const rgba = new Uint8ClampedArray(rows * columns * 4);
  if (decoded.samples === 3) {
    for (let i = 0; i < rows * columns; i++) {
      rgba[4 * i] = decoded.values[3 * i]!;
      rgba[4 * i + 1] = decoded.values[3 * i + 1]!;
      rgba[4 * i + 2] = decoded.values[3 * i + 2]!;
      rgba[4 * i + 3] = 255;
    }
  } else {
    const window = decoded.window ?? autoWindow(decoded.values, decoded.slope, decoded.intercept);
    renderGrey(
      decoded.values,
      {
        slope: decoded.slope,
        intercept: decoded.intercept,
        window,
        invert: decoded.photometric === 'MONOCHROME1',
      },
      rgba,
    );
  }
  const values = float16ToFloat32(map.map);
  const upsampled = upsampleMap(values, map.gridH, map.gridW, rows, columns);
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  const threshold = pixelThreshold ?? max / 2;
  const style: OverlayStyle = {
    ...KEY_IMAGE_OVERLAY,
    threshold,
    scaleMin: 0,
    scaleMax: Math.max(max, 1e-6),
  };
  compositeOverlay(rgba, upsampled, columns, rows, style, rgba);
  const rgb = new Uint8Array(rows * columns * 3);
  for (let i = 0; i < rows * columns; i++) {
    rgb[3 * i] = rgba[4 * i]!;
    rgb[3 * i + 1] = rgba[4 * i + 1]!;
    rgb[3 * i + 2] = rgba[4 * i + 2]!;
  }
  return {
    png: encodePng({ width: columns, height: rows, data: rgb, channels: 3, depth: 8 }),
    width: columns,
    height: rows,
    overlay: {
      colormap: style.colormap,
      opacity: style.opacity,
      threshold: style.threshold,
      scaleMin: style.scaleMin,
      scaleMax: style.scaleMax,
    },
  };
}
