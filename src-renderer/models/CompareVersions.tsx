/** Two to four versions side by side: their loss curves overlaid, their validation metrics, and what to expect of each. */
import Alert from '@mui/material/Alert';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { ModelVersionInfo } from '../../src-main/api/contract';
import { useResource } from '../api/hooks';
import { LossChart } from '../training/LossChart';

const ROWS: { label: string; value(v: ModelVersionInfo): string }[] = [
  { label: 'Mode', value: (v) => `${v.mode} [${v.dilations.join(',')}]` },
  { label: 'Strict blind spot', value: (v) => (v.strictBlindSpot ? 'yes' : 'no') },
  { label: 'Epochs', value: (v) => String(v.metrics.epochs ?? '—') },
  { label: 'Final training loss', value: (v) => v.metrics.finalTrainLoss?.toPrecision(4) ?? '—' },
  { label: 'Final validation loss', value: (v) => v.metrics.finalValLoss?.toPrecision(4) ?? '—' },
  { label: 'Best validation loss (epoch)', value: (v) => (v.metrics.bestValLoss === null ? '—' : `${v.metrics.bestValLoss.toPrecision(4)} (${v.metrics.bestEpoch})`) },
  { label: 'Stopped improving after epoch', value: (v) => String(v.metrics.plateauEpoch ?? '—') },
  { label: 'Validation image AUPR', value: (v) => v.metrics.valAupr?.toFixed(3) ?? '—' },
  { label: 'Training / validation studies', value: (v) => `${v.trainingStudies ?? '—'} / ${v.validationStudies ?? '—'}` },
  { label: 'Seed, learning rate, warm-up', value: (v) => (v.recipe ? `${String(v.recipe.seed)}, ${String(v.recipe.lr)}, ${String(v.recipe.warmupSteps)}` : '—') },
];

export function CompareVersions({ ids }: { ids: string[] }) {
  const compared = useResource('models.compare', { ids });
  if (compared.error) return <Alert severity="error">Could not compare: {compared.error.message}</Alert>;
  if (!compared.data) return null;
  const { versions, expectations } = compared.data;
  return (
    <>
      <LossChart title="Loss per epoch of the compared versions" runs={versions.map((v) => ({ label: v.name, curves: v.curves }))} />
      <Table size="small" aria-label="Compared versions">
        <TableHead>
          <TableRow>
            <TableCell />
            {versions.map((v) => (
              <TableCell key={v.id}>{v.name}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {ROWS.map((row) => (
            <TableRow key={row.label}>
              <TableCell component="th" scope="row" sx={{ color: 'text.secondary', whiteSpace: 'nowrap' }}>
                {row.label}
              </TableCell>
              {versions.map((v) => (
                <TableCell key={v.id}>{row.value(v)}</TableCell>
              ))}
            </TableRow>
          ))}
          <TableRow>
            <TableCell component="th" scope="row" sx={{ color: 'text.secondary' }}>
              What to expect
            </TableCell>
            {expectations.map((e) => (
              <TableCell key={e.id}>
                <Typography variant="body2">{e.text}</Typography>
              </TableCell>
            ))}
          </TableRow>
        </TableBody>
      </Table>
    </>
  );
}
