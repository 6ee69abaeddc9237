/**
 * The reading screen's header: patient and study, the study score, window
 * presets, invert, fit, cine and the reader. Memoised with stable callbacks:
 * scrolling through slices must not re-render it (issue 6's 60 frames/s).
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { memo } from 'react';
import type { StudyView } from '../../src-main/api/contract';
import { formatPersonName } from '../worklist/worklist-model';

const CINE_RATES = [2, 5, 10, 15, 25, 30];

export interface ViewerToolbarProps {
  study: StudyView;
  flagged: boolean | null;
  presets: ReadonlyArray<{ name: string }>;
  /** a preset's index as a string, 'auto' or 'header' */
  onWindowPreset: (value: string) => void;
  invert: boolean;
  onInvert: () => void;
  onFit: () => void;
  playing: boolean;
  onTogglePlay: () => void;
  fps: number;
  onFps: (fps: number) => void;
  readerName: string | null;
  onChooseReader: () => void;
}

export const ViewerToolbar = memo(function ViewerToolbar(props: ViewerToolbarProps) {
  const { study, flagged, playing } = props;
  return (
    <Box
      component="header"
      sx={{ gridColumn: '1 / 4', display: 'flex', alignItems: 'center', gap: 1, px: 1.5, pt: 1.25, pb: 0.75, borderBottom: 1, borderColor: 'divider', bgcolor: 'background.paper', flexWrap: 'wrap' }}
    >
      <Typography variant="h2" component="h1" sx={{ mr: 1 }}>
        {formatPersonName(study.patientName)}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {study.patientId} · {study.studyDate ?? '–'} · {study.modalities.join(', ')} · {study.description ?? ''}
      </Typography>
      {study.scoring && (
        <Chip
          label={`score ${study.scoring.studyScore.toFixed(3)}${flagged ? ' · flagged' : ''}`}
          color={flagged ? 'warning' : 'default'}
          variant={flagged ? 'filled' : 'outlined'}
        />
      )}
      <Box sx={{ flex: 1 }} />
      <Tooltip title="Window presets (1-4; 0 auto)">
        <TextField select value="" label="W/L preset" onChange={(e) => props.onWindowPreset(e.target.value)} sx={{ width: 130 }}>
          {props.presets.map((p, k) => (
            <MenuItem key={p.name} value={String(k)}>
              {k + 1} · {p.name}
            </MenuItem>
          ))}
          <MenuItem value="auto">0 · Auto</MenuItem>
          <MenuItem value="header">From header</MenuItem>
        </TextField>
      </Tooltip>
      <ToggleButton value="invert" selected={props.invert} onChange={props.onInvert} size="small" aria-label="Invert (I)">
        Invert
      </ToggleButton>
      <Button onClick={props.onFit} aria-label="Fit to window (F)">
        Fit
      </Button>
      <Button onClick={props.onTogglePlay} aria-label={playing ? 'Pause cine (Space)' : 'Play cine (Space)'}>
        {playing ? '❚❚ Pause' : '▶ Cine'}
      </Button>
      <TextField select value={props.fps} onChange={(e) => props.onFps(Number(e.target.value))} label="fps" sx={{ width: 72 }}>
        {CINE_RATES.map((v) => (
          <MenuItem key={v} value={v}>
            {v}
          </MenuItem>
        ))}
      </TextField>
      <Button onClick={props.onChooseReader}>{props.readerName ? `Reader: ${props.readerName}` : 'Choose reviewer'}</Button>
    </Box>
  );
});
