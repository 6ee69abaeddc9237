/** A series thumbnail: its middle slice, auto-windowed, drawn small. */
import { useEffect, useRef } from 'react';
import type { StoredArray } from '../../src-common/imaging/window-level';
import { autoWindow, renderGrey } from '../../src-common/imaging/window-level';
import type { FrameLoader } from './frame-loader';

export function Thumbnail({ loader, url, size }: { loader: FrameLoader; url: string | null; size: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let live = true;
    if (!url) return;
    void loader.load(url).then((frame) => {
      const canvas = ref.current;
      if (!live || !frame || !canvas || frame.header.samples !== 1) return;
      const { rows, columns, slope, intercept, photometric } = frame.header;
      const values = frame.values as StoredArray;
      const image = new ImageData(columns, rows);
      renderGrey(values, { slope, intercept, window: autoWindow(values, slope, intercept), invert: photometric === 'MONOCHROME1' }, image.data);
      const full = document.createElement('canvas');
      full.width = columns;
      full.height = rows;
      full.getContext('2d')!.putImageData(image, 0, 0);
      const ctx = canvas.getContext('2d')!;
      const s = Math.min(size / columns, size / rows);
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, size, size);
      ctx.drawImage(full, (size - columns * s) / 2, (size - rows * s) / 2, columns * s, rows * s);
    });
    return () => {
      live = false;
    };
  }, [loader, url, size]);
  return <canvas ref={ref} width={size} height={size} style={{ width: size, height: size, display: 'block', background: '#000' }} />;
}
