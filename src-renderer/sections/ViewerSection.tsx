/**
 * The reading screen: series browser, the viewport with the anomaly overlay
 * and per-slice score strip, and the review panel (verdict, overlay controls,
 * region marks, DICOM header). Keyboard: Up/Down/PageUp/PageDown/Home/End
 * slices, M most anomalous slice, O overlay, I invert, F fit, Space cine,
 * 1-4 CT presets, 0 auto window, N/A/U verdict, J/K or ]/[ next/previous
 * study, P mark a region (click points, Enter closes, Esc cancels).
 */
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RegionMark, StudyView, VerdictValue } from '../../src-main/api/contract';
import type { OverlayStyle } from '../../src-common/imaging/overlay';
import type { StoredArray, VoiWindow } from '../../src-common/imaging/window-level';
import { WINDOW_PRESETS, autoWindow } from '../../src-common/imaging/window-level';
import { useResource } from '../api/hooks';
import { ReviewerDialog } from '../review/ReviewerDialog';
import { neighbourStudy, showStudy, useReviewSession } from '../review/session';
import { ReviewPanel } from '../review/ReviewPanel';
import { VerdictDialog } from '../review/VerdictDialog';
import { FrameLoader, frameUrl, mapUrl } from '../viewer/frame-loader';
import type { LoadedFrame } from '../viewer/frame-loader';
import type { OverlaySettings } from '../viewer/OverlayControls';
import { ScoreStrip } from '../viewer/ScoreStrip';
import { mostAnomalousSlice, prefetchOrder, seriesSlices } from '../viewer/slices';
import { SeriesBrowser } from '../viewer/SeriesBrowser';
import { ViewerToolbar } from '../viewer/ViewerToolbar';
import { Viewport } from '../viewer/Viewport';
import { FIT } from '../viewer/viewport-renderer';
import type { MarkPath, ViewTransform } from '../viewer/viewport-renderer';
import { formatPersonName } from '../worklist/worklist-model';

const PREFETCH_RADIUS = 12;
const MARK_COLOURS = { 'confirms-anomaly': '#ff6b6b', 'false-positive': '#5ad1ff' } as const;

function initialOverlay(study: StudyView | null): OverlaySettings {
  const scoring = study?.scoring;
  return {
    visible: Boolean(scoring),
    colormap: 'inferno',
    opacity: 0.5,
    threshold: scoring?.threshold?.pixelThreshold ?? (scoring ? scoring.maxImageScore / 2 : 0),
    outline: false,
  };
}

/** Whether typing goes into this element (sliders, switches and buttons leave letters to the viewer). */
function isTextEntry(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element) return false;
  if (element.tagName === 'INPUT') return !['range', 'checkbox', 'radio', 'button'].includes((element as HTMLInputElement).type);
  return element.tagName === 'TEXTAREA' || element.isContentEditable;
}

/** The header's window when it has one, else (as MR often has none) the frame's 1st-99th percentile. */
function defaultWindow(frame: LoadedFrame): VoiWindow {
  const { header } = frame;
  return header.window ?? autoWindow(frame.values as StoredArray, header.slope, header.intercept);
}

export function ViewerSection() {
  const session = useReviewSession();
  const studyUid = session.studyUid ?? session.order[0] ?? null;
  if (!studyUid) {
    return (
      <Box sx={{ p: 3 }}>
        <Typography variant="h1">Viewer</Typography>
        <Typography color="text.secondary" sx={{ mt: 1 }}>
          Open a study from the worklist (select it and press Enter).
        </Typography>
      </Box>
    );
  }
  return <StudyViewer key={studyUid} studyUid={studyUid} />;
}

function StudyViewer({ studyUid }: { studyUid: string }) {
  const session = useReviewSession();
  const study = useResource('studies.get', { studyUid });
  const history = useResource('review.history', { studyUid });
  const loader = useMemo(() => new FrameLoader(), []);
  const data = study.data;

  const [seriesIndex, setSeriesIndex] = useState(0);
  const series = data?.series[seriesIndex];
  const slices = useMemo(() => seriesSlices(series), [series]);
  const [sliceIndex, setSliceIndex] = useState<number | null>(null);
  const at = sliceIndex ?? Math.floor(slices.length / 2);
  const slice = slices[at];

  const [frame, setFrame] = useState<LoadedFrame | null>(null);
  const [map, setMap] = useState<LoadedFrame | null>(null);
  const [voi, setVoi] = useState<VoiWindow | null>(null);
  const [invert, setInvert] = useState(false);
  const [view, setView] = useState<ViewTransform>(FIT);
  const [overlay, setOverlay] = useState<OverlaySettings>(() => initialOverlay(null));
  const [marks, setMarks] = useState<RegionMark[]>([]);
  const [drawing, setDrawing] = useState<Array<[number, number]> | null>(null);
  const [markLabel, setMarkLabel] = useState<RegionMark['label']>('confirms-anomaly');
  const [playing, setPlaying] = useState(false);
  const [fps, setFps] = useState(10);
  const [verdictDraft, setVerdictDraft] = useState<VerdictValue | null>(null);
  const [showHeader, setShowHeader] = useState(false);
  const [choosingReviewer, setChoosingReviewer] = useState(false);
  const overlayInitialised = useRef(false);

  useEffect(() => {
    if (data && !overlayInitialised.current) {
      overlayInitialised.current = true;
      setOverlay(initialOverlay(data));
    }
  }, [data]);

  // the slice on screen first, then its neighbours; stale requests are dropped
  useEffect(() => {
    if (!slice) return;
    const runId = data?.scoring?.scoringRunId ?? null;
    const order = prefetchOrder(at, slices.length, PREFETCH_RADIUS).map((k) => slices[k]!);
    const frameUrls = order.map((s) => frameUrl(s.sopInstanceUid, s.frame));
    const mapUrls = runId ? order.slice(0, 5).filter((s) => s.score !== null).map((s) => mapUrl(runId, s.sopInstanceUid, s.frame)) : [];
    loader.want([frameUrls[0]!, ...mapUrls.slice(0, 1), ...frameUrls.slice(1), ...mapUrls.slice(1)]);
    let live = true;
    const currentFrameUrl = frameUrls[0]!;
    const cached = loader.peek(currentFrameUrl);
    if (cached) setFrame(cached);
    else void loader.load(currentFrameUrl).then((f) => live && f && setFrame(f));
    if (runId && slice.score !== null) {
      const url = mapUrl(runId, slice.sopInstanceUid, slice.frame);
      const cachedMap = loader.peek(url);
      if (cachedMap) setMap(cachedMap);
      else {
        setMap(null);
        void loader.load(url).then((m) => live && setMap(m));
      }
    } else setMap(null);
    return () => {
      live = false;
    };
  }, [loader, slice, at, slices, data?.scoring?.scoringRunId]);

  useEffect(() => {
    if (frame && voi === null) setVoi(defaultWindow(frame));
  }, [frame, voi]);

  useEffect(() => {
    if (!playing || slices.length < 2) return;
    const timer = setInterval(() => setSliceIndex((k) => ((k ?? at) + 1) % slices.length), 1000 / fps);
    return () => clearInterval(timer);
  }, [playing, fps, slices.length, at]);

  const step = useCallback(
    (delta: number) => setSliceIndex((k) => Math.max(0, Math.min(slices.length - 1, (k ?? at) + delta))),
    [slices.length, at],
  );
  const jumpToMostAnomalous = useCallback(() => {
    const best = mostAnomalousSlice(slices);
    if (best !== null) setSliceIndex(best);
  }, [slices]);

  const selectSeries = useCallback((index: number) => {
    setSeriesIndex(index);
    setSliceIndex(null);
    setVoi(null);
  }, []);

  const goStudy = useCallback(
    (delta: number) => {
      const uid = neighbourStudy(session, delta);
      if (uid) showStudy(uid);
    },
    [session],
  );

  const closePolygon = useCallback(() => {
    if (!drawing || !slice) return;
    if (drawing.length >= 3) {
      setMarks((list) => [...list, { kind: 'polygon', label: markLabel, sopInstanceUid: slice.sopInstanceUid, frame: slice.frame, points: drawing }]);
    }
    setDrawing(null);
  }, [drawing, slice, markLabel]);

  // the review panel is memoised: its callbacks must not change with the slice
  const closePolygonRef = useRef(closePolygon);
  closePolygonRef.current = closePolygon;
  const drawingRef = useRef(drawing);
  drawingRef.current = drawing;
  const toggleDrawing = useCallback(() => (drawingRef.current ? closePolygonRef.current() : setDrawing([])), []);
  const clearMarks = useCallback(() => setMarks([]), []);
  const toggleHeader = useCallback(() => setShowHeader((v) => !v), []);
  const resetThreshold = useCallback(
    () => setOverlay((o) => ({ ...o, threshold: initialOverlay(study.data).threshold })),
    [study.data],
  );

  const applyPreset = useCallback(
    (index: number) => {
      const preset = WINDOW_PRESETS[series?.modality ?? '']?.[index];
      if (preset) setVoi(preset.window);
    },
    [series?.modality],
  );

  const frameRef = useRef(frame);
  frameRef.current = frame;
  const windowPreset = useCallback(
    (value: string) => {
      const current = frameRef.current;
      if (value === 'auto' && current) setVoi(autoWindow(current.values as StoredArray, current.header.slope, current.header.intercept));
      else if (value === 'header' && current?.header.window) setVoi(current.header.window);
      else applyPreset(Number(value));
    },
    [applyPreset],
  );
  const toggleInvert = useCallback(() => setInvert((v) => !v), []);
  const fit = useCallback(() => setView(FIT), []);
  const togglePlay = useCallback(() => setPlaying((p) => !p), []);
  const chooseReader = useCallback(() => setChoosingReviewer(true), []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || verdictDraft || choosingReviewer || document.querySelector('[role="dialog"]')) return;
      if (isTextEntry(event.target)) return;
      const onControl = (event.target as HTMLElement | null)?.closest?.('[role="slider"], [role="combobox"], [role="listbox"]');
      const key = event.key;
      const slicesKeys: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 };
      let handled = true;
      if (key in slicesKeys && !onControl) step(slicesKeys[key]!);
      else if (key === 'Home' && !onControl) setSliceIndex(0);
      else if (key === 'End' && !onControl) setSliceIndex(slices.length - 1);
      else if (key === 'Enter' && drawing) closePolygon();
      else if (key === 'Escape' && drawing) setDrawing(null);
      else if (event.ctrlKey || event.metaKey || event.altKey) handled = false;
      else if (key === 'm' || key === 'M') jumpToMostAnomalous();
      else if (key === 'o' || key === 'O') setOverlay((o) => ({ ...o, visible: !o.visible }));
      else if (key === 'i' || key === 'I') setInvert((v) => !v);
      else if (key === 'f' || key === 'F') setView(FIT);
      else if (key === ' ' && !onControl && (event.target as HTMLElement).tagName !== 'BUTTON') setPlaying((p) => !p);
      else if (key === 'n' || key === 'N') setVerdictDraft('normal');
      else if (key === 'a' || key === 'A') setVerdictDraft('abnormal');
      else if (key === 'u' || key === 'U') setVerdictDraft('uncertain');
      else if (key === 'j' || key === 'J' || key === ']') goStudy(1);
      else if (key === 'k' || key === 'K' || key === '[') goStudy(-1);
      else if (key === 'p' || key === 'P') setDrawing((d) => (d ? null : []));
      else if (key === '0' && frame) setVoi(autoWindow(frame.values as StoredArray, frame.header.slope, frame.header.intercept));
      else if (key >= '1' && key <= '4') applyPreset(Number(key) - 1);
      else handled = false;
      if (handled) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step, slices.length, drawing, closePolygon, jumpToMostAnomalous, goStudy, verdictDraft, choosingReviewer, frame, applyPreset]);

  const style: OverlayStyle | null =
    overlay.visible && data?.scoring
      ? { colormap: overlay.colormap, opacity: overlay.opacity, threshold: overlay.threshold, scaleMin: 0, scaleMax: Math.max(data.scoring.maxImageScore, 1e-6), mode: overlay.outline ? 'outline' : 'fill' }
      : null;

  // marks saved with the current verdict stay visible when the study is reopened
  const savedMarks = useMemo(() => (history.data?.at(-1)?.regionMarks ?? []) as RegionMark[], [history.data]);
  const markPaths = useMemo<MarkPath[]>(() => {
    if (!slice) return [];
    const onSlice = [...savedMarks, ...marks]
      .filter((m) => m.sopInstanceUid === slice.sopInstanceUid && m.frame === slice.frame)
      .map((m) => ({ points: m.points, closed: true, colour: MARK_COLOURS[m.label] }));
    return drawing ? [...onSlice, { points: drawing, closed: false, colour: MARK_COLOURS[markLabel] }] : onSlice;
  }, [savedMarks, marks, drawing, slice, markLabel]);

  if (study.error) return <Typography color="error" sx={{ p: 3 }}>Could not open the study: {study.error.message}</Typography>;
  if (!data) return <Typography color="text.secondary" sx={{ p: 3 }}>Opening the study…</Typography>;

  const instance = slice ? (series?.instances[slice.instanceIndex] ?? null) : null;
  const spacing = (instance?.attributes.pixelSpacing as number[] | undefined) ?? series?.spacing ?? null;
  const orientation = (instance?.attributes.imageOrientationPatient as number[] | undefined) ?? series?.orientation ?? null;
  const imageThreshold = data.scoring?.threshold?.imageThreshold ?? null;
  const currentVerdict = history.data?.at(-1) ?? null;
  const flagged = data.scoring && imageThreshold !== null ? data.scoring.studyScore >= imageThreshold : null;
  const presets = WINDOW_PRESETS[series?.modality ?? ''] ?? [];
  const orderIndex = session.order.indexOf(studyUid);

  return (
    <Box sx={{ height: '100%', display: 'grid', gridTemplateColumns: '132px 1fr 300px', gridTemplateRows: 'auto 1fr', minHeight: 0, bgcolor: '#07090b' }}>
      <ViewerToolbar
        study={data}
        flagged={flagged}
        presets={presets}
        onWindowPreset={windowPreset}
        invert={invert}
        onInvert={toggleInvert}
        onFit={fit}
        playing={playing}
        onTogglePlay={togglePlay}
        fps={fps}
        onFps={setFps}
        readerName={session.reviewer?.name ?? null}
        onChooseReader={chooseReader}
      />

      <SeriesBrowser series={data.series} selected={seriesIndex} loader={loader} onSelect={selectSeries} />

      <Box sx={{ display: 'flex', flexDirection: 'column', minHeight: 0, minWidth: 0 }}>
        <Viewport
          frame={frame}
          map={map}
          window={voi}
          invert={invert}
          overlay={style}
          view={view}
          onView={setView}
          onWindow={setVoi}
          onSliceStep={step}
          marks={markPaths}
          marking={drawing !== null}
          onAddPoint={(point) => setDrawing((d) => (d ? [...d, point] : d))}
          orientation={orientation}
          spacing={spacing}
          colorBar={style ? { colormap: style.colormap, min: style.scaleMin, max: style.scaleMax, threshold: style.threshold } : null}
          corners={{
            topLeft: (
              <>
                <div>{formatPersonName(data.patientName)}</div>
                <div>{data.patientId}</div>
                <div>{series?.description ?? ''}</div>
              </>
            ),
            topRight: (
              <>
                <div>{data.studyDate ?? ''}</div>
                <div>{series?.modality ?? ''} #{series?.seriesNumber ?? '–'}</div>
                {drawing && <div style={{ color: MARK_COLOURS[markLabel] }}>Marking: click points, Enter closes, Esc cancels</div>}
              </>
            ),
            bottomLeft: (
              <>
                <div data-testid="slice-label">
                  Im {at + 1}/{slices.length}
                  {slice?.score != null ? ` · score ${slice.score.toFixed(3)}` : ''}
                </div>
                {frame && <div>{frame.header.columns}×{frame.header.rows}</div>}
              </>
            ),
            bottomRight: (
              <>
                {voi && <div data-testid="window-label">W {Math.round(voi.width)} L {Math.round(voi.center)}</div>}
                <div>Zoom {Math.round(view.zoom * 100)}%</div>
              </>
            ),
          }}
        />
        {data.scoring && (
          <ScoreStrip scores={slices.map((s) => s.score)} current={at} threshold={imageThreshold ?? overlay.threshold} onSelect={setSliceIndex} />
        )}
      </Box>

      <ReviewPanel
        studyUid={studyUid}
        scoring={data.scoring}
        currentVerdict={currentVerdict}
        earlierVerdicts={Math.max(0, (history.data?.length ?? 0) - 1)}
        onVerdict={setVerdictDraft}
        orderIndex={orderIndex}
        orderLength={session.order.length}
        onStudy={goStudy}
        overlay={overlay}
        onOverlay={setOverlay}
        onResetThreshold={resetThreshold}
        onMostAnomalous={jumpToMostAnomalous}
        markLabel={markLabel}
        onMarkLabel={setMarkLabel}
        drawingPoints={drawing ? drawing.length : null}
        onToggleDrawing={toggleDrawing}
        markCount={marks.length}
        onClearMarks={clearMarks}
        showHeader={showHeader}
        onToggleHeader={toggleHeader}
        instance={showHeader ? instance : null}
      />

      {verdictDraft && session.reviewer && (
        <VerdictDialog
          studyUid={studyUid}
          reviewerId={session.reviewer.id}
          reviewerName={session.reviewer.name}
          initial={verdictDraft}
          marks={marks}
          history={history.data ?? []}
          onClose={() => setVerdictDraft(null)}
          onSaved={(_verdict, next) => {
            setVerdictDraft(null);
            setMarks([]);
            history.reload();
            if (next) goStudy(1);
          }}
        />
      )}
      {/* the reading session starts with the reader's name: asked when the first study opens */}
      <ReviewerDialog
        open={choosingReviewer || !session.reviewer}
        onClose={session.reviewer ? () => setChoosingReviewer(false) : undefined}
      />
    </Box>
  );
}
