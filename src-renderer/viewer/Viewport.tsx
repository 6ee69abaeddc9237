/**
 * The image viewport: the canvas the renderer draws into, the text overlays a
 * radiologist expects in the corners, orientation markers and scale bar, and
 * the mouse: left drag = window/level, Shift+left or middle drag = pan,
 * right drag or Ctrl+wheel = zoom, wheel = slices; in marking mode a left
 * click adds a polygon point.
 */
import Box from '@mui/material/Box';
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { ReactNode } from 'react';
import type { ColormapId } from '../../src-common/imaging/colormaps';
import type { OverlayStyle } from '../../src-common/imaging/overlay';
import type { VoiWindow } from '../../src-common/imaging/window-level';
import { dragWindow } from '../../src-common/imaging/window-level';
import { ColorBar } from './ColorBar';
import type { LoadedFrame } from './frame-loader';
import { orientationMarkers, scaleBar } from './geometry';
import type { MarkPath, ViewTransform } from './viewport-renderer';
import { ViewportRenderer } from './viewport-renderer';

export interface ViewportProps {
  frame: LoadedFrame | null;
  map: LoadedFrame | null;
  window: VoiWindow | null;
  invert: boolean;
  overlay: OverlayStyle | null;
  view: ViewTransform;
  onView: (view: ViewTransform) => void;
  onWindow: (window: VoiWindow) => void;
  onSliceStep: (step: number) => void;
  marks: MarkPath[];
  marking: boolean;
  onAddPoint: (point: [number, number]) => void;
  orientation: readonly number[] | null;
  /** [row mm, column mm] */
  spacing: readonly number[] | null;
  corners: { topLeft: ReactNode; topRight: ReactNode; bottomLeft: ReactNode; bottomRight: ReactNode };
  colorBar: { colormap: ColormapId; min: number; max: number; threshold: number } | null;
}

const cornerText = {
  position: 'absolute',
  fontSize: 12,
  lineHeight: 1.35,
  color: '#dfe6ec',
  textShadow: '0 0 3px #000, 0 0 2px #000',
  pointerEvents: 'none',
  fontVariantNumeric: 'tabular-nums',
} as const;

const marker = { ...cornerText, fontSize: 15, fontWeight: 700, color: '#f3d38a' } as const;

export function Viewport(props: ViewportProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const rendererRef = useRef<ViewportRenderer | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useLayoutEffect(() => {
    const renderer = new ViewportRenderer(canvasRef.current!);
    rendererRef.current = renderer;
    const box = boxRef.current!;
    const observer = new ResizeObserver(() => renderer.resize(box.clientWidth, box.clientHeight, window.devicePixelRatio || 1));
    observer.observe(box);
    renderer.resize(box.clientWidth, box.clientHeight, window.devicePixelRatio || 1);
    return () => observer.disconnect();
  }, []);

  const renderer = rendererRef.current;
  useEffect(() => rendererRef.current?.setFrame(props.frame), [props.frame]);
  useEffect(() => rendererRef.current?.setMap(props.map), [props.map]);
  useEffect(() => {
    if (props.window) rendererRef.current?.setDisplay(props.window, props.invert);
  }, [props.window, props.invert]);
  useEffect(() => rendererRef.current?.setOverlay(props.overlay), [props.overlay]);
  useEffect(() => rendererRef.current?.setView(props.view), [props.view]);
  useEffect(() => rendererRef.current?.setMarks(props.marks), [props.marks]);

  // wheel must be a non-passive listener to keep the page from scrolling
  useEffect(() => {
    const box = boxRef.current!;
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const p = latest.current;
      if (event.ctrlKey || event.metaKey) {
        const factor = Math.exp(-event.deltaY * 0.0015);
        p.onView({ ...p.view, zoom: Math.min(40, Math.max(0.1, p.view.zoom * factor)) });
      } else if (event.deltaY !== 0) {
        p.onSliceStep(event.deltaY > 0 ? 1 : -1);
      }
    };
    box.addEventListener('wheel', onWheel, { passive: false });
    return () => box.removeEventListener('wheel', onWheel);
  }, []);

  const onPointerDown = (event: React.PointerEvent) => {
    const p = latest.current;
    const box = boxRef.current!;
    const rect = box.getBoundingClientRect();
    if (p.marking && event.button === 0 && !event.shiftKey) {
      const point = rendererRef.current!.toImage(event.clientX - rect.left, event.clientY - rect.top);
      p.onAddPoint([Math.round(point[0] * 10) / 10, Math.round(point[1] * 10) / 10]);
      return;
    }
    const mode = event.button === 2 ? 'zoom' : event.button === 1 || event.shiftKey ? 'pan' : event.button === 0 ? 'window' : null;
    if (!mode) return;
    event.preventDefault();
    box.setPointerCapture(event.pointerId);
    const startX = event.clientX;
    const startY = event.clientY;
    const startView = p.view;
    const startWindow = p.window;
    const move = (e: PointerEvent) => {
      const dx = e.clientX - startX;
      const dy = e.clientY - startY;
      const q = latest.current;
      if (mode === 'pan') q.onView({ ...startView, panX: startView.panX + dx, panY: startView.panY + dy });
      else if (mode === 'zoom') q.onView({ ...startView, zoom: Math.min(40, Math.max(0.1, startView.zoom * Math.exp(-dy * 0.01))) });
      else if (startWindow) q.onWindow(dragWindow(startWindow, dx, dy, Math.max(0.05, startWindow.width / 300)));
    };
    const up = () => {
      box.removeEventListener('pointermove', move);
      box.removeEventListener('pointerup', up);
      box.removeEventListener('pointercancel', up);
    };
    box.addEventListener('pointermove', move);
    box.addEventListener('pointerup', up);
    box.addEventListener('pointercancel', up);
  };

  const markers = orientationMarkers(props.orientation);
  const columnSpacing = props.spacing?.[1] ?? null;
  const bar = renderer && props.frame && columnSpacing ? scaleBar(columnSpacing / (renderer.fitScale() * props.view.zoom)) : null;

  return (
    <Box
      ref={boxRef}
      onPointerDown={onPointerDown}
      onContextMenu={(e) => e.preventDefault()}
      sx={{ position: 'relative', flex: 1, minHeight: 0, minWidth: 0, bgcolor: '#000', overflow: 'hidden', cursor: props.marking ? 'crosshair' : 'default', touchAction: 'none' }}
    >
      <canvas
        ref={canvasRef}
        id="viewport-canvas"
        role="img"
        aria-label="Image viewport: drag to change window and level, Shift+drag to pan, Ctrl+wheel to zoom, wheel to change slice"
        style={{ position: 'absolute', inset: 0, width: '100%', height: '100%' }}
      />
      <Box sx={{ ...cornerText, left: 8, top: 6 }}>{props.corners.topLeft}</Box>
      <Box sx={{ ...cornerText, right: props.colorBar ? 64 : 8, top: 6, textAlign: 'right' }}>{props.corners.topRight}</Box>
      <Box sx={{ ...cornerText, left: 8, bottom: 6 }}>{props.corners.bottomLeft}</Box>
      <Box sx={{ ...cornerText, right: props.colorBar ? 64 : 8, bottom: 6, textAlign: 'right' }}>{props.corners.bottomRight}</Box>
      {markers && props.frame && (
        <>
          <Box sx={{ ...marker, left: 8, top: '50%', transform: 'translateY(-50%)' }} aria-label="left of image">{markers.left}</Box>
          <Box sx={{ ...marker, right: props.colorBar ? 64 : 8, top: '50%', transform: 'translateY(-50%)' }}>{markers.right}</Box>
          <Box sx={{ ...marker, top: 6, left: '50%', transform: 'translateX(-50%)' }}>{markers.top}</Box>
          <Box sx={{ ...marker, bottom: 6, left: '50%', transform: 'translateX(-50%)' }}>{markers.bottom}</Box>
        </>
      )}
      {bar && (
        <Box sx={{ ...cornerText, left: 8, bottom: 54 }} aria-label={`Scale bar ${bar.mm} mm`}>
          <Box sx={{ width: bar.px, height: 6, borderLeft: '2px solid #dfe6ec', borderRight: '2px solid #dfe6ec', borderBottom: '2px solid #dfe6ec' }} />
          {bar.mm} mm
        </Box>
      )}
      {props.colorBar && <ColorBar {...props.colorBar} />}
    </Box>
  );
}
