/**
 * Query/Retrieve, opened from the Worklist: pick a saved PACS, search its
 * studies (QIDO-RS) by patient, date range, modality or accession, tick the
 * studies to bring in and retrieve them as a job (progress, pause and cancel
 * in the job tray; a retrieval run again skips what is already stored).
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import type { FormEvent } from 'react';
import { useState } from 'react';
import type { PacsQuery, PacsStudyHit } from '../../src-main/api/contract';
import { toNormscopeError } from '../api/error-value';
import { useApi, useResource } from '../api/hooks';
import { useNotifier } from '../components/Notifications';

interface Filters {
  patientName: string;
  patientId: string;
  dateFrom: string;
  dateTo: string;
  modality: string;
  accessionNumber: string;
}

const NO_FILTERS: Filters = {
  patientName: '',
  patientId: '',
  dateFrom: '',
  dateTo: '',
  modality: '',
  accessionNumber: '',
};

/** Form values -> the contract's query: blank fields left out, dates from the date input (YYYY-MM-DD) to DICOM DA. */
function queryOf(filters: Filters): PacsQuery {
  const query: PacsQuery = {};
  const text = (value: string) => value.trim() || undefined;
  query.patientName = text(filters.patientName);
  query.patientId = text(filters.patientId);
  query.dateFrom = text(filters.dateFrom)?.replaceAll('-', '');
  query.dateTo = text(filters.dateTo)?.replaceAll('-', '');
  query.modality = text(filters.modality)?.toUpperCase();
  query.accessionNumber = text(filters.accessionNumber);
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as PacsQuery;
}

function formatDa(value: string | null): string {
  return value && /^\d{8}$/.test(value)
    ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`
    : (value ?? '');
}

function QueryForm(props: { onClose(): void }) {
  const api = useApi();
  const { notify } = useNotifier();
  const listed = useResource('pacs.endpoints.list', {});
  const [endpointId, setEndpointId] = useState('');
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [hits, setHits] = useState<PacsStudyHit[] | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'searching' | 'starting' | null>(null);
  const endpoints = listed.data?.endpoints ?? [];
  const chosen = endpointId || endpoints[0]?.id || '';

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('searching');
    setError(null);
    try {
      const result = await api.call('pacs.query', { endpointId: chosen, query: queryOf(filters) });
      setHits(result.studies);
      setSelected(new Set());
    } catch (reason) {
      setError(toNormscopeError(reason).message);
    } finally {
      setBusy(null);
    }
  };

  const retrieve = async () => {
    setBusy('starting');
    setError(null);
    try {
      await api.call('pacs.retrieve', { endpointId: chosen, studyUids: [...selected] });
      notify(
        `Retrieving ${selected.size} stud${selected.size === 1 ? 'y' : 'ies'}: follow it in the job tray.`,
      );
      props.onClose();
    } catch (reason) {
      setError(toNormscopeError(reason).message);
    } finally {
      setBusy(null);
    }
  };

  const toggle = (uid: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(uid)) next.add(uid);
      return next;
    });
  const field = (key: keyof Filters, label: string, extra: object = {}) => (
    <TextField
      label={label}
      size="small"
      value={filters[key]}
      onChange={(e) => setFilters((f) => ({ ...f, [key]: e.target.value }))}
      {...extra}
    />
  );

  if (listed.data && endpoints.length === 0) {
    return (
      <DialogContent>
        <Alert severity="info">
          No PACS is set up yet: add one under Settings › PACS (DICOMweb).
        </Alert>
      </DialogContent>
    );
  }
  return (
    <>
      <DialogContent>
        <Box
          component="form"
          id="pacs-query-form"
          onSubmit={search}
          aria-label="Query PACS"
          sx={{ display: 'grid', gap: 1.5, gridTemplateColumns: 'repeat(3, 1fr)', pt: 1 }}
        >
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
          {field('patientName', 'Patient name')}
          {field('patientId', 'Patient ID')}
          {field('dateFrom', 'Study date from', {
            type: 'date',
            slotProps: { inputLabel: { shrink: true } },
          })}
          {field('dateTo', 'Study date to', {
            type: 'date',
            slotProps: { inputLabel: { shrink: true } },
          })}
          {field('modality', 'Modality', { placeholder: 'MR' })}
          {field('accessionNumber', 'Accession number')}
          <Button
            type="submit"
            variant="outlined"
            disabled={busy !== null || !chosen}
            sx={{ alignSelf: 'center' }}
          >
            {busy === 'searching' ? 'Searching…' : 'Search'}
          </Button>
        </Box>
        {error && (
          <Alert severity="error" role="alert" sx={{ mt: 2 }}>
            {error}
          </Alert>
        )}
        {hits && hits.length === 0 && (
          <Alert severity="info" sx={{ mt: 2 }}>
            No study matches.
          </Alert>
        )}
        {hits && hits.length > 0 && (
          <Table size="small" aria-label="PACS studies" sx={{ mt: 2 }}>
            <TableHead>
              <TableRow>
                <TableCell padding="checkbox" />
                <TableCell>Patient</TableCell>
                <TableCell>Patient ID</TableCell>
                <TableCell>Date</TableCell>
                <TableCell>Modalities</TableCell>
                <TableCell>Description</TableCell>
                <TableCell>Accession</TableCell>
                <TableCell align="right">Instances</TableCell>
                <TableCell align="right">Here</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {hits.map((hit) => (
                <TableRow
                  key={hit.studyUid}
                  hover
                  onClick={() => toggle(hit.studyUid)}
                  selected={selected.has(hit.studyUid)}
                >
                  <TableCell padding="checkbox">
                    <Checkbox
                      checked={selected.has(hit.studyUid)}
                      slotProps={{ input: { 'aria-label': `Select study ${hit.studyUid}` } }}
                    />
                  </TableCell>
                  <TableCell>{hit.patientName?.replaceAll('^', ' ') ?? ''}</TableCell>
                  <TableCell>{hit.patientId ?? ''}</TableCell>
                  <TableCell>{formatDa(hit.studyDate)}</TableCell>
                  <TableCell>{hit.modalities.join(', ')}</TableCell>
                  <TableCell>{hit.description ?? ''}</TableCell>
                  <TableCell>{hit.accessionNumber ?? ''}</TableCell>
                  <TableCell align="right">{hit.instanceCount ?? '?'}</TableCell>
                  <TableCell align="right">{hit.localInstances}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} color="inherit">
          Close
        </Button>
        <Button
          variant="contained"
          onClick={() => void retrieve()}
          disabled={selected.size === 0 || busy !== null}
        >
          {busy === 'starting'
            ? 'Starting…'
            : `Retrieve ${selected.size || ''} selected`.replace('  ', ' ')}
        </Button>
      </DialogActions>
    </>
  );
}

/** The Worklist header's "Query PACS…" button and its dialog. */
export function PacsQueryButton() {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        Query PACS…
      </Button>
      <Dialog
        open={open}
        onClose={() => setOpen(false)}
        maxWidth="lg"
        fullWidth
        aria-labelledby="pacs-query-title"
      >
        <DialogTitle id="pacs-query-title">Query / Retrieve from a PACS</DialogTitle>
        {open && <QueryForm onClose={() => setOpen(false)} />}
      </Dialog>
    </>
  );
}
