/** The overlay's controls: on/off (O), colour map, opacity, threshold, fill or outline. */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Slider from '@mui/material/Slider';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { ColormapId } from '../../src-common/imaging/colormaps';
import { COLORMAP_IDS, COLORMAP_LABELS } from '../../src-common/imaging/colormaps';

export interface OverlaySettings {
  visible: boolean;
  colormap: ColormapId;
  opacity: number;
  threshold: number;
  outline: boolean;
}

export function OverlayControls({
  settings,
  onChange,
  max,
  calibrated,
  onResetThreshold,
}: {
  settings: OverlaySettings;
  onChange: (settings: OverlaySettings) => void;
  /** top of the threshold range: the study's largest image score */
  max: number;
  /** whether the threshold came from a saved calibration */
  calibrated: boolean;
  /** back to the model's threshold (or the uncalibrated default) */
  onResetThreshold: () => void;
}) {
  const set = (patch: Partial<OverlaySettings>) => onChange({ ...settings, ...patch });
  const step = max > 0 ? max / 500 : 0.001;
  return (
    <Box sx={{ display: 'grid', gap: 0.5 }}>
      <FormControlLabel
        control={<Switch checked={settings.visible} onChange={(e) => set({ visible: e.target.checked })} />}
        label="Anomaly overlay (O)"
      />
      <TextField select label="Colour map" value={settings.colormap} onChange={(e) => set({ colormap: e.target.value as ColormapId })}>
        {COLORMAP_IDS.map((id) => (
          <MenuItem key={id} value={id}>
            {COLORMAP_LABELS[id]}
          </MenuItem>
        ))}
      </TextField>
      <Typography id="overlay-opacity" variant="caption" color="text.secondary">
        Opacity {Math.round(settings.opacity * 100)}%
      </Typography>
      <Slider
        aria-labelledby="overlay-opacity"
        value={settings.opacity}
        min={0.05}
        max={1}
        step={0.05}
        onChange={(_e, v) => set({ opacity: v as number })}
        size="small"
      />
      <Box sx={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
        <Typography id="overlay-threshold" variant="caption" color="text.secondary">
          Threshold {settings.threshold.toFixed(3)} {calibrated ? '(calibrated)' : '(uncalibrated: half the top score)'}
        </Typography>
        <Button size="small" onClick={onResetThreshold} sx={{ minWidth: 0, py: 0 }}>
          Reset
        </Button>
      </Box>
      <Slider
        aria-labelledby="overlay-threshold"
        data-testid="threshold-slider"
        value={settings.threshold}
        min={0}
        max={Math.max(max, settings.threshold)}
        step={step}
        onChange={(_e, v) => set({ threshold: v as number })}
        size="small"
      />
      <FormControlLabel
        control={<Switch checked={settings.outline} onChange={(e) => set({ outline: e.target.checked })} />}
        label="Outline only (contour)"
      />
    </Box>
  );
}
