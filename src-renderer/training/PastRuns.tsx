/** Earlier training runs: what they trained on, how they ended, and the model they made. */
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { TrainingRunInfo } from '../../src-main/api/contract';
import { epochsColumn } from './training-form';

function outcome(run: TrainingRunInfo): string {
  if (run.state === 'succeeded') return 'model made';
  if (run.state === 'failed') return `failed: ${run.error?.message ?? 'unknown error'}`;
  return run.state;
}

export function PastRuns({
  runs,
  onSelect,
}: {
  runs: readonly TrainingRunInfo[];
  onSelect(run: TrainingRunInfo): void;
}) {
  if (runs.length === 0)
    return <Typography color="text.secondary">No training runs yet.</Typography>;
  return (
    <Table size="small" aria-label="Training runs">
      <TableHead>
        <TableRow>
          <TableCell>Name</TableCell>
          <TableCell>Started</TableCell>
          <TableCell>By</TableCell>
          <TableCell align="right">Studies (train / val)</TableCell>
          <TableCell align="right">Epochs</TableCell>
          <TableCell align="right">Val. loss</TableCell>
          <TableCell>Outcome</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {runs.map((run) => (
          <TableRow
            key={run.id}
            hover
            onClick={() => onSelect(run)}
            sx={{ cursor: 'pointer' }}
            data-run-id={run.id}
          >
            <TableCell>
              {run.name}
              {run.partner ? ' (causal + flipped)' : ''}
            </TableCell>
            <TableCell>{run.createdAt.slice(0, 16).replace('T', ' ')}</TableCell>
            <TableCell>{run.startedBy}</TableCell>
            <TableCell align="right">
              {run.trainingStudies.length} / {run.validationStudies.length}
            </TableCell>
            <TableCell align="right">{epochsColumn(run)}</TableCell>
            <TableCell align="right">{run.curves.valLoss.at(-1)?.toPrecision(4) ?? '—'}</TableCell>
            <TableCell sx={{ maxWidth: 280 }}>{outcome(run)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
