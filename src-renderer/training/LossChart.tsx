/**
 * Loss per epoch as lines: training and validation loss of one or more runs
 * (the Models page overlays versions), validation dashed. Epochs are 1-based.
 */
import Typography from '@mui/material/Typography';
import { LineChart } from '@mui/x-charts/LineChart';
import type { TrainingCurves } from '../../src-main/api/contract';

export interface LabelledCurves {
  label: string;
  curves: TrainingCurves;
}

const COLOURS = ['#1f77b4', '#d95f02', '#2ca02c', '#7570b3'];

export function LossChart({ runs, height = 260, title }: { runs: LabelledCurves[]; height?: number; title: string }) {
  const epochs = Math.max(0, ...runs.map((r) => r.curves.trainLoss.length));
  if (epochs === 0) {
    return (
      <Typography variant="body2" color="text.secondary" sx={{ py: 2 }}>
        The loss chart appears after the first epoch.
      </Typography>
    );
  }
  const pad = (values: number[]) => Array.from({ length: epochs }, (_, i) => values[i] ?? null);
  const series = runs.flatMap((run, k) => {
    const prefix = runs.length > 1 ? `${run.label}: ` : '';
    const colour = COLOURS[k % COLOURS.length]!;
    return [
      { id: `train-${k}`, data: pad(run.curves.trainLoss), label: `${prefix}training loss`, color: colour, showMark: epochs <= 40 },
      ...(run.curves.valLoss.length
        ? [{ id: `val-${k}`, data: pad(run.curves.valLoss), label: `${prefix}validation loss`, color: colour, showMark: epochs <= 40 }]
        : []),
    ];
  });
  return (
    <figure style={{ margin: 0 }} aria-label={title}>
      <LineChart
        height={height}
        xAxis={[{ data: Array.from({ length: epochs }, (_, i) => i + 1), label: 'Epoch', scaleType: 'point' }]}
        yAxis={[{ label: 'Mean squared feature error', width: 64 }]}
        series={series}
        // validation lines dashed, in their run's colour
        sx={{ '& .MuiLineChart-line[data-series^="val-"]': { strokeDasharray: '6 4' } }}
      />
    </figure>
  );
}
