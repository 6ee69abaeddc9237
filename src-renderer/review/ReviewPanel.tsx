/**
 * The review panel beside the viewport: verdict, anomaly overlay controls,
 * region marks and the DICOM header. Memoised, with stable callbacks from the
 * viewer: scrolling through slices must not re-render it (issue 6's 60
 * frames/s); only the header table follows the slice, and only when open.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { memo } from 'react';
import type { InstanceView, RegionMark, StudyView, VerdictValue, VerdictView } from '../../src-main/api/contract';
import { SendResultsButton } from '../pacs/SendResultsButton';
import { HeaderPanel } from '../viewer/HeaderPanel';
import { OverlayControls } from '../viewer/OverlayControls';
import type { OverlaySettings } from '../viewer/OverlayControls';

export interface ReviewPanelProps {
  studyUid: string;
  scoring: StudyView['scoring'];
  currentVerdict: VerdictView | null;
  earlierVerdicts: number;
  onVerdict: (verdict: VerdictValue) => void;
  orderIndex: number;
  orderLength: number;
  onStudy: (delta: number) => void;
  overlay: OverlaySettings;
  onOverlay: (settings: OverlaySettings) => void;
  onResetThreshold: () => void;
  onMostAnomalous: () => void;
  markLabel: RegionMark['label'];
  onMarkLabel: (label: RegionMark['label']) => void;
  drawingPoints: number | null;
  onToggleDrawing: () => void;
  markCount: number;
  onClearMarks: () => void;
  showHeader: boolean;
  onToggleHeader: () => void;
  /** the instance on screen for the header table; pass it only while the table is open */
  instance: InstanceView | null;
}

export const ReviewPanel = memo(function ReviewPanel(props: ReviewPanelProps) {
  const { scoring, currentVerdict, drawingPoints, showHeader } = props;
  return (
    <Box component="aside" aria-label="Review" sx={{ overflowY: 'auto', borderLeft: 1, borderColor: 'divider', bgcolor: 'background.paper', p: 1.25, display: 'grid', gap: 1, alignContent: 'start' }}>
      <Box>
        <Typography variant="overline" color="text.secondary">Verdict</Typography>
        <Typography variant="body2" data-testid="current-verdict" sx={{ mb: 0.5 }}>
          {currentVerdict ? (
            <>
              <b style={{ textTransform: 'capitalize' }}>{currentVerdict.verdict}</b> · {currentVerdict.reviewerName}
              {props.earlierVerdicts > 0 ? ` · ${props.earlierVerdicts} earlier` : ''}
            </>
          ) : (
            'Not reviewed yet'
          )}
        </Typography>
        <Box sx={{ display: 'flex', gap: 0.5 }}>
          <Button variant="outlined" color="success" onClick={() => props.onVerdict('normal')}>Normal N</Button>
          <Button variant="outlined" color="error" onClick={() => props.onVerdict('abnormal')}>Abnormal A</Button>
          <Button variant="outlined" color="info" onClick={() => props.onVerdict('uncertain')}>Unsure U</Button>
        </Box>
        <Box sx={{ display: 'flex', gap: 0.5, mt: 0.5, alignItems: 'center' }}>
          <IconButton size="small" aria-label="Previous study (K)" disabled={props.orderIndex <= 0} onClick={() => props.onStudy(-1)}>‹</IconButton>
          <Typography variant="caption" color="text.secondary">
            Study {props.orderIndex >= 0 ? props.orderIndex + 1 : '–'} of {props.orderLength} · J/K
          </Typography>
          <IconButton size="small" aria-label="Next study (J)" disabled={props.orderIndex < 0 || props.orderIndex >= props.orderLength - 1} onClick={() => props.onStudy(1)}>›</IconButton>
        </Box>
      </Box>
      <Divider />
      <Box>
        <Typography variant="overline" color="text.secondary">
          Anomaly overlay {scoring ? `· ${scoring.modelName}` : ''}
        </Typography>
        {scoring ? (
          <>
            <OverlayControls
              settings={props.overlay}
              onChange={props.onOverlay}
              max={scoring.maxImageScore}
              calibrated={Boolean(scoring.threshold)}
              onResetThreshold={props.onResetThreshold}
            />
            <Button size="small" onClick={props.onMostAnomalous}>Most anomalous slice (M)</Button>
            <SendResultsButton studyUid={props.studyUid} />
          </>
        ) : (
          <Typography variant="body2" color="text.secondary">This study has not been scored.</Typography>
        )}
      </Box>
      <Divider />
      <Box>
        <Typography variant="overline" color="text.secondary">Region marks</Typography>
        <ToggleButtonGroup exclusive size="small" value={props.markLabel} onChange={(_e, v: RegionMark['label'] | null) => v && props.onMarkLabel(v)} aria-label="Mark label" sx={{ mb: 0.5 }}>
          <ToggleButton value="confirms-anomaly">Confirms anomaly</ToggleButton>
          <ToggleButton value="false-positive">False positive</ToggleButton>
        </ToggleButtonGroup>
        <Box sx={{ display: 'flex', gap: 0.5 }}>
          <Button variant={drawingPoints !== null ? 'contained' : 'outlined'} onClick={props.onToggleDrawing}>
            {drawingPoints !== null ? `Close polygon (${drawingPoints} pts)` : 'Mark region (P)'}
          </Button>
          {props.markCount > 0 && <Button onClick={props.onClearMarks}>Clear {props.markCount}</Button>}
        </Box>
        <Typography variant="caption" color="text.secondary" component="div">
          Marks are saved with the next verdict.
        </Typography>
      </Box>
      <Divider />
      <Box>
        <Button size="small" onClick={props.onToggleHeader} aria-expanded={showHeader}>
          {showHeader ? '▾' : '▸'} DICOM header
        </Button>
        {showHeader && <HeaderPanel instance={props.instance} />}
      </Box>
    </Box>
  );
});
