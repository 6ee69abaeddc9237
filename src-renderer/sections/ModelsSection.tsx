/**
 * What scores the studies right now, from app.status. Managing model versions
 * and thresholds comes with training and threshold tuning.
 */
import Alert from '@mui/material/Alert';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import { useAppStatus } from '../status/AppStatusProvider';
import { availableProvidersText, providerLabel } from '../status/labels';
import { SectionPage } from './SectionPage';

export function ModelsSection() {
  const { data: status, error } = useAppStatus();
  return (
    <SectionPage
      title="Models"
      summary="Model versions, the backbone they use and their calibrated thresholds will be listed and managed here; below is what is in use now."
    >
      {error && <Alert severity="error">Could not load the current model: {error.message}</Alert>}
      {status && (
        <Table
          size="small"
          aria-label="Model in use"
          sx={{ maxWidth: 720, '& th': { width: 180, whiteSpace: 'nowrap', color: 'text.secondary' } }}
        >
          <TableBody>
            <TableRow>
              <TableCell component="th" scope="row">Active model</TableCell>
              <TableCell>{status.activeModel?.name ?? 'No model'}</TableCell>
            </TableRow>
            <TableRow>
              <TableCell component="th" scope="row">Backbone</TableCell>
              <TableCell>
                {status.backbone ? `${status.backbone.name} · ${status.backbone.family}` : 'No backbone'}
                {status.backbone?.standIn && (
                  <Chip color="warning" variant="outlined" label="Stand-in: not for clinical use" sx={{ ml: 1, fontWeight: 600 }} />
                )}
              </TableCell>
            </TableRow>
            <TableRow>
              <TableCell component="th" scope="row">Execution provider</TableCell>
              <TableCell>
                {providerLabel(status.provider.active)} ({availableProvidersText(status.provider.available)})
              </TableCell>
            </TableRow>
          </TableBody>
        </Table>
      )}
    </SectionPage>
  );
}
