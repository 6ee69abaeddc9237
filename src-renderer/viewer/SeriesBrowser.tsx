/**
 * The series browser beside the viewport: one thumbnail per series. Memoised:
 * scrolling through slices must not re-render it (issue 6's 60 frames/s).
 */
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { memo } from 'react';
import type { StudyView } from '../../src-main/api/contract';
import { frameUrl } from './frame-loader';
import type { FrameLoader } from './frame-loader';
import { Thumbnail } from './Thumbnail';

interface SeriesBrowserProps {
  series: StudyView['series'];
  selected: number;
  loader: FrameLoader;
  onSelect: (index: number) => void;
}

export const SeriesBrowser = memo(function SeriesBrowser({ series, selected, loader, onSelect }: SeriesBrowserProps) {
  return (
    <Box component="nav" aria-label="Series" sx={{ overflowY: 'auto', borderRight: 1, borderColor: 'divider', p: 0.75, display: 'grid', gap: 0.75, alignContent: 'start' }}>
      {series.map((s, k) => {
        const middle = s.instances[Math.floor(s.instances.length / 2)];
        return (
          <Box
            key={s.seriesUid}
            component="button"
            onClick={() => onSelect(k)}
            aria-pressed={k === selected}
            aria-label={`Series ${s.seriesNumber ?? k + 1}: ${s.description ?? ''}, ${s.instances.length} images`}
            sx={{ p: 0.5, bgcolor: k === selected ? 'rgba(127,176,208,0.2)' : 'transparent', border: 1, borderColor: k === selected ? 'primary.main' : 'divider', borderRadius: 1, color: 'text.primary', cursor: 'pointer', textAlign: 'left', font: 'inherit' }}
          >
            <Thumbnail loader={loader} url={middle ? frameUrl(middle.sopInstanceUid, 0) : null} size={112} />
            <Typography variant="caption" component="div" sx={{ mt: 0.25, lineHeight: 1.2 }}>
              #{s.seriesNumber ?? '–'} {s.modality} · {s.instances.length} im
            </Typography>
            <Typography variant="caption" component="div" color="text.secondary" noWrap>
              {s.description ?? ''}
            </Typography>
          </Box>
        );
      })}
    </Box>
  );
});
