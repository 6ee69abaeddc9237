/** The overlay's colour scale: the colour map from the bottom to the top score, the threshold marked. */
import Box from '@mui/material/Box';
import type { ColormapId } from '../../src-common/imaging/colormaps';
import { colormapCss } from '../../src-common/imaging/colormaps';

export function ColorBar({ colormap, min, max, threshold }: { colormap: ColormapId; min: number; max: number; threshold: number }) {
  const stops = Array.from({ length: 11 }, (_, k) => `${colormapCss(colormap, 1 - k / 10)} ${k * 10}%`).join(', ');
  const span = max - min || 1;
  const thresholdFromTop = Math.min(100, Math.max(0, (100 * (max - threshold)) / span));
  return (
    <Box
      role="img"
      aria-label={`Colour scale from ${min.toFixed(2)} to ${max.toFixed(2)}, threshold ${threshold.toFixed(3)}`}
      sx={{ position: 'absolute', right: 10, top: 40, bottom: 56, width: 46, pointerEvents: 'none', fontSize: 11, color: '#e8edf2' }}
    >
      <Box sx={{ position: 'absolute', right: 0, top: 0, bottom: 0, width: 12, background: `linear-gradient(${stops})`, border: '1px solid rgba(255,255,255,0.35)' }} />
      <Box sx={{ position: 'absolute', right: 0, top: `${thresholdFromTop}%`, width: 20, borderTop: '2px solid #fff' }} />
      <Box sx={{ position: 'absolute', right: 22, top: `calc(${thresholdFromTop}% - 8px)`, fontWeight: 700, textShadow: '0 0 3px #000' }}>thr</Box>
      <Box sx={{ position: 'absolute', right: 16, top: -2, textShadow: '0 0 3px #000' }}>{max.toFixed(2)}</Box>
      <Box sx={{ position: 'absolute', right: 16, bottom: -4, textShadow: '0 0 3px #000' }}>{min.toFixed(2)}</Box>
    </Box>
  );
}
