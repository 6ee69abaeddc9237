/**
 * Per-slice image scores along the series: one bar per slice, above-threshold
 * slices in the warning colour, the slice on screen outlined. A click jumps
 * to that slice; M jumps to the highest.
 */
import Box from '@mui/material/Box';

const BAR_MAX_PX = 34;

export function ScoreStrip({
  scores,
  current,
  threshold,
  onSelect,
}: {
  /** image score per slice, null where the slice was not scored */
  scores: ReadonlyArray<number | null>;
  current: number;
  threshold: number | null;
  onSelect: (index: number) => void;
}) {
  const max = Math.max(1e-9, ...scores.map((s) => s ?? 0));
  const best = scores.reduce<number>((at, s, k) => ((s ?? -Infinity) > (scores[at] ?? -Infinity) ? k : at), 0);
  return (
    <Box
      role="group"
      aria-label={`Slice scores; the most anomalous is slice ${best + 1} (key M)`}
      data-testid="score-strip"
      sx={{ display: 'flex', flexShrink: 0, alignItems: 'flex-end', gap: '1px', height: 44, px: 1, py: 0.5, bgcolor: '#0a0c0f', borderTop: 1, borderColor: 'divider' }}
    >
      {scores.map((score, k) => (
        <Box
          key={k}
          onClick={() => onSelect(k)}
          title={score === null ? `slice ${k + 1}: not scored` : `slice ${k + 1}: ${score.toFixed(3)}`}
          sx={{
            flex: 1,
            minWidth: '1px',
            height: Math.max(2, Math.round((BAR_MAX_PX * (score ?? 0)) / max)),
            cursor: 'pointer',
            bgcolor: score === null ? '#2a3038' : threshold !== null && score >= threshold ? '#e0b062' : '#4f6b80',
            outline: k === current ? '2px solid #fff' : undefined,
            outlineOffset: 0,
          }}
        />
      ))}
    </Box>
  );
}
