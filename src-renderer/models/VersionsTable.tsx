/**
 * Model versions: name, when and by whom, backbone (a stand-in is said so),
 * mode and dilations with the blind-spot truth computed by the host from the
 * masks, validation loss, thresholds, and which one is active.
 */
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { ModelVersionInfo } from '../../src-main/api/contract';

export function VersionsTable(props: {
  versions: readonly ModelVersionInfo[];
  compared: readonly string[];
  busy: boolean;
  onCompare(id: string, on: boolean): void;
  onActivate(version: ModelVersionInfo): void;
}) {
  if (props.versions.length === 0) {
    return <Typography color="text.secondary">No model versions yet: train one on the Training page or import a bundle.</Typography>;
  }
  return (
    <Table size="small" aria-label="Model versions" sx={{ "& th": { whiteSpace: "nowrap" } }}>
      <TableHead>
        <TableRow>
          <TableCell padding="checkbox">Compare</TableCell>
          <TableCell>Name</TableCell>
          <TableCell>Created</TableCell>
          <TableCell>Backbone</TableCell>
          <TableCell>Mode</TableCell>
          <TableCell>Blind spot</TableCell>
          <TableCell align="right">Val. loss</TableCell>
          <TableCell align="right">Thresholds</TableCell>
          <TableCell />
        </TableRow>
      </TableHead>
      <TableBody>
        {props.versions.map((v) => (
          <TableRow key={v.id} data-model-id={v.id} selected={v.active}>
            <TableCell padding="checkbox">
              <Checkbox
                size="small"
                checked={props.compared.includes(v.id)}
                onChange={(e) => props.onCompare(v.id, e.target.checked)}
                slotProps={{ input: { 'aria-label': `Compare ${v.name}` } }}
              />
            </TableCell>
            <TableCell sx={{ minWidth: 160 }}>
              {v.name}
              {v.importedFrom && <Chip size="small" variant="outlined" label="imported" sx={{ ml: 1 }} />}
            </TableCell>
            <TableCell sx={{ whiteSpace: 'nowrap' }}>
              {v.createdAt.slice(0, 16).replace('T', ' ')}
              <Typography variant="caption" color="text.secondary" component="div">
                by {v.createdBy}
              </Typography>
            </TableCell>
            <TableCell>
              {v.backbone.name}
              {v.backbone.standIn && <Chip size="small" color="warning" variant="outlined" label="Stand-in" sx={{ ml: 1, fontWeight: 600 }} />}
            </TableCell>
            <TableCell sx={{ whiteSpace: 'nowrap' }}>
              {v.mode} [{v.dilations.join(',')}]
            </TableCell>
            <TableCell>
              <Tooltip
                title={
                  v.strictBlindSpot
                    ? 'No path through the layers lets a patch see itself: the model cannot copy its input.'
                    : 'Deeper layers reach the predicted patch again (e.g. p → p+4 → p): the model can partly copy its input.'
                }
              >
                <Chip size="small" variant="outlined" color={v.strictBlindSpot ? 'success' : 'default'} label={v.strictBlindSpot ? 'strict' : 'not strict'} />
              </Tooltip>
            </TableCell>
            <TableCell align="right">{v.metrics.finalValLoss?.toPrecision(4) ?? '—'}</TableCell>
            <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
              {v.threshold ? `${v.threshold.imageThreshold.toPrecision(3)} image` : 'none'}
            </TableCell>
            <TableCell align="right">
              {v.active ? (
                <Chip color="primary" label="Active" size="small" />
              ) : (
                <Button size="small" variant="outlined" disabled={props.busy} onClick={() => props.onActivate(v)} aria-label={`Activate ${v.name}`}>
                  Activate
                </Button>
              )}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
