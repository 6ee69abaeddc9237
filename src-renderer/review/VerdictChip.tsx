/** A verdict as a small coloured label with the reader's name, or "unreviewed". */
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import type { WorklistEntry } from '../../src-main/api/contract';

const COLOURS = { normal: 'success', abnormal: 'error', uncertain: 'info' } as const;

export function VerdictChip({ verdict }: { verdict: WorklistEntry['verdict'] }) {
  if (!verdict) return <Typography variant="caption" color="text.secondary">unreviewed</Typography>;
  return (
    <span>
      <Chip label={verdict.value} color={COLOURS[verdict.value]} variant="outlined" sx={{ height: 20, mr: 0.75, textTransform: 'capitalize' }} />
      <Typography variant="caption" color="text.secondary">{verdict.reviewerName}</Typography>
    </span>
  );
}
