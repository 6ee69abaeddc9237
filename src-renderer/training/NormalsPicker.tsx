/**
 * Which studies are normal: those a reviewer marked normal, every study not
 * marked abnormal or uncertain, or a hand-picked list (checkboxes over the
 * worklist's studies; no patient identifiers are shown here).
 */
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import { useId } from 'react';
import type { Result } from '../../src-main/api/contract';
import type { NormalsChoice } from './training-form';

type Candidate = Result<'training.candidates'>[number];

export function NormalsPicker(props: {
  choice: NormalsChoice;
  picked: readonly string[];
  candidates: readonly Candidate[];
  error?: string;
  onChoice(choice: NormalsChoice): void;
  onPicked(picked: string[]): void;
}) {
  const labelId = useId();
  const markedNormal = props.candidates.filter((c) => c.verdict === 'normal').length;
  const unmarked = props.candidates.filter((c) => c.verdict === null).length;
  const pickable = props.candidates.filter((c) => c.verdict === null || c.verdict === 'normal');
  const toggle = (uid: string, on: boolean) =>
    props.onPicked(on ? [...props.picked, uid] : props.picked.filter((p) => p !== uid));
  return (
    <FormControl error={Boolean(props.error)} sx={{ width: '100%' }}>
      <FormLabel id={labelId}>Normal studies to train on</FormLabel>
      <RadioGroup aria-labelledby={labelId} value={props.choice} onChange={(_e, v) => props.onChoice(v as NormalsChoice)}>
        <FormControlLabel value="verdict:normal" control={<Radio size="small" />} label={`Studies marked normal by a reviewer (${markedNormal})`} />
        <FormControlLabel
          value="all"
          control={<Radio size="small" />}
          label={`All studies not marked abnormal or uncertain (${markedNormal + unmarked})`}
        />
        <FormControlLabel value="picked" control={<Radio size="small" />} label={`Studies I pick (${props.picked.length} ticked)`} />
      </RadioGroup>
      {props.choice === 'picked' && (
        <TableContainer sx={{ maxHeight: 260, border: 1, borderColor: 'divider', borderRadius: 1 }}>
          <Table size="small" stickyHeader aria-label="Studies to pick">
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox" />
                <TableCell>Description</TableCell>
                <TableCell>Date</TableCell>
                <TableCell>Modality</TableCell>
                <TableCell align="right">Images</TableCell>
                <TableCell>Verdict</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {pickable.map((c) => {
                const checked = props.picked.includes(c.studyUid);
                return (
                  <TableRow key={c.studyUid} hover selected={checked} onClick={() => toggle(c.studyUid, !checked)} sx={{ cursor: 'pointer' }}>
                    <TableCell padding="checkbox">
                      <Checkbox
                        size="small"
                        checked={checked}
                        onClick={(e) => e.stopPropagation()}
                        onChange={(e) => toggle(c.studyUid, e.target.checked)}
                        slotProps={{ input: { 'aria-label': `Train on study ${c.description ?? c.studyUid}` } }}
                      />
                    </TableCell>
                    <TableCell>{c.description ?? '—'}</TableCell>
                    <TableCell>{c.studyDate ?? '—'}</TableCell>
                    <TableCell>{c.modalities.join(', ')}</TableCell>
                    <TableCell align="right">{c.instanceCount}</TableCell>
                    <TableCell>{c.verdict ?? 'unreviewed'}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {props.error && <FormHelperText>{props.error}</FormHelperText>}
    </FormControl>
  );
}
