/**
 * The viewer's "Send results to PACS…" for a scored study: shown only when
 * sending is allowed (Settings › PACS, off by default). Sends the scores (SR),
 * the anomaly map (Parametric Map) and the thresholded region (Segmentation)
 * by STOW-RS, optionally de-identified; every send is audited by the host.
 */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useState } from 'react';
import type { Result } from '../../src-main/api/contract';
import { toNormscopeError } from '../api/error-value';
import { useApi, useResource } from '../api/hooks';

const OBJECT_NAMES = {
  sr: 'Scores (structured report)',
  pmap: 'Anomaly map (parametric map)',
  seg: 'Anomaly region (segmentation)',
};

function SendDialog({ studyUid, onClose }: { studyUid: string; onClose(): void }) {
  const api = useApi();
  const listed = useResource('pacs.endpoints.list', {});
  const [endpointId, setEndpointId] = useState('');
  const [deidentify, setDeidentify] = useState(false);
  const [sending, setSending] = useState(false);
  const [outcome, setOutcome] = useState<Result<'pacs.push'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const endpoints = listed.data?.endpoints ?? [];
  const chosen = endpointId || endpoints[0]?.id || '';

  const send = async () => {
    setSending(true);
    setError(null);
    try {
      setOutcome(await api.call('pacs.push', { endpointId: chosen, studyUid, deidentify }));
    } catch (reason) {
      setError(toNormscopeError(reason).message);
    } finally {
      setSending(false);
    }
  };

  return (
    <>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          {listed.data && endpoints.length === 0 && (
            <Alert severity="info">
              No PACS is set up yet: add one under Settings › PACS (DICOMweb).
            </Alert>
          )}
          {endpoints.length > 0 && (
            <TextField
              select
              label="PACS"
              size="small"
              value={chosen}
              onChange={(e) => setEndpointId(e.target.value)}
            >
              {endpoints.map((e) => (
                <MenuItem key={e.id} value={e.id}>
                  {e.name}
                </MenuItem>
              ))}
            </TextField>
          )}
          <FormControlLabel
            control={<Checkbox checked={deidentify} onChange={(_e, on) => setDeidentify(on)} />}
            label="De-identify (pseudonymised names and IDs, new UIDs, shifted dates)"
          />
          {error && (
            <Alert severity="error" role="alert">
              {error}
            </Alert>
          )}
          {outcome && (
            <Alert severity="success" role="status">
              Sent: {outcome.objects.map((o) => OBJECT_NAMES[o.kind]).join(', ')}.
              {outcome.notes.length > 0 && ` ${outcome.notes.join('; ')}.`}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button color="inherit" onClick={onClose}>
          Close
        </Button>
        <Button
          variant="contained"
          onClick={() => void send()}
          disabled={!chosen || sending || outcome !== null}
        >
          {sending ? 'Sending…' : 'Send'}
        </Button>
      </DialogActions>
    </>
  );
}

export function SendResultsButton({ studyUid }: { studyUid: string }) {
  const options = useResource('pacs.options.get', {});
  const [open, setOpen] = useState(false);
  if (!options.data?.pushResults) return null;
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)}>
        Send results to PACS…
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        maxWidth="sm"
        fullWidth
        aria-labelledby="pacs-send-title"
      >
        <DialogTitle id="pacs-send-title">Send results to a PACS</DialogTitle>
        {open && <SendDialog studyUid={studyUid} onClose={() => setOpen(false)} />}
      </Dialog>
    </>
  );
}
